import ArgumentParser
import Ledger
import NotifyDaemon

/// The ledger a command works on: --db, else the config file's 'db', else the default.
struct LedgerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The ledger: an SQLite file or a postgres:// URL (default: the config's 'db', or alipay-notifyd.db).",
                               valueName: "PATH|URL"))
    var db: String?

    @Option(help: ArgumentHelp("Read 'db' from this configuration file.", valueName: "FILE"))
    var config: String?

    var location: LedgerLocation {
        get throws {
            if let db { return LedgerLocation(db) }
            if let config {
                do {
                    return try DaemonConfiguration.ledger(configFile: config) ?? .sqlite(path: "alipay-notifyd.db")
                } catch {
                    throw ValidationError("\(error)")
                }
            }
            return .sqlite(path: "alipay-notifyd.db")
        }
    }

    func open() throws -> any LedgerStore {
        let location = try location
        do {
            return try location.open()
        } catch {
            StandardError.print("alipay-notifyd: cannot open the ledger '\(location)': \(error)")
            throw ExitCode(1)
        }
    }
}
