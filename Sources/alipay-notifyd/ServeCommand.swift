import ArgumentParser
import DaemonSettings
import Logging
import NotifyDaemon
import Observability

/// `alipay-notifyd serve`: runs the daemon in the foreground.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the notify receiver in the foreground (logs to stderr; stops cleanly on SIGTERM/SIGINT).",
        usage: "alipay-notifyd serve [--config <FILE>] [--<setting> <value>]…",
        discussion: """
            Settings come from --config FILE and from the flags listed under SETTINGS; a \
            flag wins over the file, and a repeatable flag given on the command line \
            replaces the file's list. Every flag has the same name in the file \
            ('listen = 0.0.0.0:8080'). Relative paths in the file are relative to the file.

            Answers on the notify path: 200 'success' (recorded, or recorded before); \
            400 'fail' (not a valid form, or the signature does not verify); 422 'fail' \
            (authentic but refused: app_id, seller_id, unknown order, amount; quarantined); \
            503 'fail' (the ledger could not commit; Alipay retries). The header \
            X-Notifyd-Reason names the cause. GET /healthz answers 'ok'.

            Outbox: every ship, refund, close and duplicate_payment event is written with the \
            notification that caused it. --sink http POSTs it as JSON (Idempotency-Key: the \
            event id) to --sink-url; --sink exec runs --sink-command with the JSON on stdin; \
            --sink none leaves it for your consumer ('alipay-notifyd events claim' / 'events ack'). \
            Failed deliveries are retried with exponential backoff, then dead-lettered.

            Exit status: 0 after a clean stop, 78 for a configuration it cannot run with, \
            1 for other start-up failures.

            \(SettingOptions.help)
            """
    )

    @Option(name: .long, help: ArgumentHelp("Configuration file (key = value lines).", valueName: "FILE"))
    var config: String?

    @OptionGroup var settings: SettingOptions

    func run() throws {
        let flags = try settings.entries
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(configFile: config, commandLine: flags)
        } catch {
            StandardError.print("alipay-notifyd: configuration error: \(error)")
            throw ExitCode(Daemon.configurationErrorStatus)
        }
        let level = configuration.logLevel, format = configuration.logFormat
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level, format: format) }
        let logger = Logger(label: "alipay-notifyd")
        let status = Daemon(configuration: configuration, logger: logger).run()
        LineOutput.standardError.flush()
        if status != 0 { throw ExitCode(status) }
    }
}
