import ArgumentParser
import DaemonSettings
import Ledger
import NotifyDaemon

/// The ledger a command works on: --db, else the config file's 'db', else
/// the default; `--db` is the daemon's own `db` setting. The config file
/// also gives the order settings (`order-timeout`, `reconcile-after`).
struct LedgerOptions: ParsableArguments {
    static let dbSetting = Setting.named("db")!

    @Option(help: ArgumentHelp("\(dbSetting.summary) (default: the config's 'db', or \(dbSetting.defaultValue))",
                               valueName: dbSetting.valueForm))
    var db: String?

    @Option(help: ArgumentHelp("Read 'db' from this configuration file.", valueName: "FILE"))
    var config: String?

    var location: LedgerLocation {
        get throws { try settings.ledger }
    }

    /// `db`, `order-timeout` and `reconcile-after` as the daemon reads them.
    var settings: DaemonConfiguration {
        get throws {
            do {
                return try DaemonConfiguration.forLedgerCommands(configFile: config, db: db)
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
