import ArgumentParser
import Ledger
import NotifyDaemon

/// The ledger a command works on: --db, else the config file's 'db', else
/// the default; `--db` is the daemon's own `db` setting.
struct LedgerOptions: ParsableArguments {
    static let dbSetting = Setting.named("db")!

    @Option(help: ArgumentHelp("\(dbSetting.summary) (default: the config's 'db', or \(dbSetting.defaultValue))",
                               valueName: dbSetting.valueForm))
    var db: String?

    @Option(help: ArgumentHelp("Read 'db' from this configuration file.", valueName: "FILE"))
    var config: String?

    var location: LedgerLocation {
        get throws {
            do {
                return try DaemonConfiguration.ledger(configFile: config, commandLine: db)
            } catch {
                throw ValidationError("\(error)")
            }
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
