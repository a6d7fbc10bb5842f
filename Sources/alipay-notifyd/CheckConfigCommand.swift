import ActiveSide
import AlipayCrypto
import ArgumentParser
import DaemonSettings
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
            key and opens the ledger (creating it when it does not exist yet). With \
            app-private-key set, it also asks Alipay's gateway about an order that cannot \
            exist: a verified "no such trade" proves the gateway, the app key and Alipay's \
            key; otherwise it says which of them (or the certificates, or the clock) is \
            wrong. Prints what it found and exits 0, or names the problem and exits 78. \
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
            if let tokens = try AdminTokens.load(configuration) {
                print("admin-token-file \(configuration.adminTokenFile ?? ""): \(tokens.count) token(s); the admin listener requires one")
            }
        } catch {
            StandardError.print("\(error)")
            throw ExitCode(Daemon.configurationErrorStatus)
        }
        do {
            let store = try configuration.ledger.open()
            try store.probeWrite(instance: "check-config")
            print("ledger \(configuration.ledger): ok, writable (\(try store.orders(limit: 1).isEmpty ? "no orders yet" : "has orders"))")
        } catch {
            StandardError.print("ledger \(configuration.ledger): \(error)")
            throw ExitCode(Daemon.configurationErrorStatus)
        }
        guard configuration.gateway.appPrivateKeyPath != nil else {
            print("gateway: not used (no app-private-key: the daemon only listens)")
            return
        }
        let client: AlipayGatewayClient
        do {
            client = try AlipayGatewayClient.load(configuration)
        } catch {
            StandardError.print("gateway: \(error)")
            throw ExitCode(Daemon.configurationErrorStatus)
        }
        // An order that cannot exist: only a verified "no such trade" proves the chain.
        let answer = client.query("alipay-notifyd-check-\(UInt32.random(in: 0...UInt32.max))")
        if let problem = GatewayCheck.problem(with: answer) {
            StandardError.print("gateway \(client.gatewayURL): \(problem)")
            throw ExitCode(Daemon.configurationErrorStatus)
        }
        print("gateway \(client.gatewayURL): ok (a query was answered and verified with alipay-public-key)")
    }
}
