import ArgumentParser
import Ledger
import NotifyDaemon

/// The ledger to open: --db, else the config file's 'db', else the default.
struct LedgerLocation: ParsableArguments {
    @Option(help: ArgumentHelp("SQLite ledger file (default: the config's 'db', or alipay-notifyd.db).", valueName: "PATH"))
    var db: String?

    @Option(help: ArgumentHelp("Read 'db' from this configuration file.", valueName: "FILE"))
    var config: String?

    func open() throws -> SQLiteLedgerStore {
        var path = db ?? "alipay-notifyd.db"
        if db == nil, let config {
            do {
                path = try DaemonConfiguration.databasePath(configFile: config) ?? path
            } catch {
                throw ValidationError("\(error)")
            }
        }
        do {
            return try SQLiteLedgerStore(path: path)
        } catch {
            StandardError.print("alipay-notifyd: cannot open the ledger '\(path)': \(error)")
            throw ExitCode(1)
        }
    }
}
