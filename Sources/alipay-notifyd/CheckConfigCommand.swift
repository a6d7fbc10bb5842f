import AlipayCrypto
import ArgumentParser
import Ledger
import NotifyDaemon

/// `alipay-notifyd check-config`: validates a configuration before a deploy or a reload.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a configuration file: settings, key files, and the ledger.",
        usage: "alipay-notifyd check-config --config <FILE> [--syntax-only] [--<setting> <value>]…",
        discussion: """
            Reads the file (and the setting flags given with it) as 'serve' would, prints \
            every setting in force and where it was given, then loads every Alipay public \
            key and opens the ledger (creating it when it does not exist yet). Prints what \
            it found and exits 0, or names the line and the problem and exits 78. \
            --syntax-only checks the settings without touching key files or the ledger.

            \(SettingOptions.help)
            """
    )

    @Option(help: ArgumentHelp("The configuration file.", valueName: "FILE"))
    var config: String

    @Flag(name: .customLong("syntax-only"), help: "Check only the settings, not the files they name.")
    var syntaxOnly = false

    @OptionGroup var settings: SettingOptions

    func run() throws {
        let flags = try settings.entries
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(configFile: config, commandLine: flags)
        } catch {
            StandardError.print("\(config): \(error)")
            throw ExitCode(Daemon.configurationErrorStatus)
        }
        print("settings: ok (listen \(configuration.listen), notify path \(configuration.notifyPath), \(configuration.appIDs.count) app id(s))")
        for line in configuration.settingsInForce {
            print("  \(line)")
        }
        if syntaxOnly { return }
        for path in configuration.alipayPublicKeyPaths {
            do {
                let key = try RSAPublicKey(bytes: FileReading.bytes(atPath: path))
                print("alipay-public-key \(path): \(key)")
            } catch {
                StandardError.print("alipay-public-key \(path): \(error)")
                throw ExitCode(Daemon.configurationErrorStatus)
            }
        }
        do {
            let store = try configuration.ledger.open()
            try store.probeWrite(instance: "check-config")
            print("ledger \(configuration.ledger): ok, writable (\(try store.orders(limit: 1).isEmpty ? "no orders yet" : "has orders"))")
        } catch {
            StandardError.print("ledger \(configuration.ledger): \(error)")
            throw ExitCode(Daemon.configurationErrorStatus)
        }
    }
}
