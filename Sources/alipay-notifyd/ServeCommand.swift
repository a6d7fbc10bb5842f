import ArgumentParser
import Logging
import NotifyDaemon

/// `alipay-notifyd serve`: runs the daemon in the foreground.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the notify receiver in the foreground (logs to stderr; stops cleanly on SIGTERM/SIGINT).",
        discussion: """
            Settings come from --config FILE and from these flags; a flag wins over the \
            file, and a repeatable flag given on the command line replaces the file's list. \
            Every flag has the same name in the file ('listen = 0.0.0.0:8080'). Relative \
            paths in the file are relative to the file.

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
            """
    )

    @Option(name: .long, help: ArgumentHelp("Configuration file (key = value lines).", valueName: "FILE"))
    var config: String?

    @Option(help: ArgumentHelp("Address to listen on (default 127.0.0.1:8080).", valueName: "HOST:PORT"))
    var listen: String?

    @Option(help: ArgumentHelp("The ledger: an SQLite file (default alipay-notifyd.db), or a PostgreSQL URL postgres://user@host:port/dbname shared by several daemons.", valueName: "PATH|URL"))
    var db: String?

    @Option(name: .customLong("alipay-public-key"),
            help: ArgumentHelp("Alipay's public key (PEM, bare base64, or certificate). Repeat during a key rotation.", valueName: "FILE"))
    var alipayPublicKeys: [String] = []

    @Option(name: .customLong("app-id"), help: ArgumentHelp("Your Alipay app_id. Repeatable.", valueName: "ID"))
    var appIDs: [String] = []

    @Option(name: .customLong("seller-id"), help: ArgumentHelp("Your seller_id; other sellers' notifications are refused.", valueName: "ID"))
    var sellerID: String?

    @Option(name: .customLong("notify-path"), help: ArgumentHelp("Path of the notify URL (default /notify).", valueName: "PATH"))
    var notifyPath: String?

    @Flag(name: .customLong("accept-unknown-orders"), inversion: .prefixedNo,
          help: "Record notifications for orders never registered with 'orders add' (amount unchecked).")
    var acceptUnknownOrders: Bool?

    @Flag(name: .customLong("legacy-rsa"), inversion: .prefixedNo, help: "Also accept sign_type=RSA (SHA1withRSA).")
    var legacyRSA: Bool?

    @Option(name: .customLong("max-body-size"), help: ArgumentHelp("Largest request body (default 256KiB).", valueName: "SIZE"))
    var maxBodySize: String?

    @Option(name: .customLong("max-connections"), help: ArgumentHelp("Most open connections (default 4096).", valueName: "N"))
    var maxConnections: String?

    @Option(name: .customLong("header-timeout"), help: ArgumentHelp("Time to send a request head (default 10s).", valueName: "DURATION"))
    var headerTimeout: String?

    @Option(name: .customLong("body-timeout"), help: ArgumentHelp("Time to send a request body (default 30s).", valueName: "DURATION"))
    var bodyTimeout: String?

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Idle keep-alive connections close after (default 60s).", valueName: "DURATION"))
    var idleTimeout: String?

    @Option(help: ArgumentHelp("Event-loop threads (default: one per core).", valueName: "N"))
    var threads: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error, critical (default info).", valueName: "LEVEL"))
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: ArgumentHelp("text (default) or json (one object per line).", valueName: "FORMAT"))
    var logFormat: String?

    @Option(name: .customLong("min-free-disk"), help: ArgumentHelp("Not ready (GET /readyz 503) below this free space for the SQLite ledger (default 64MiB).", valueName: "SIZE"))
    var minFreeDisk: String?

    @Option(name: .customLong("shutdown-grace"), help: ArgumentHelp("Time to finish requests in flight on SIGTERM (default 10s).", valueName: "DURATION"))
    var shutdownGrace: String?

    @Option(name: .customLong("admin-listen"), help: ArgumentHelp("Loopback address of the admin listener, or off (default 127.0.0.1:8081).", valueName: "HOST:PORT"))
    var adminListen: String?

    @Option(help: ArgumentHelp("Where outbox events go: none (default), http or exec.", valueName: "KIND"))
    var sink: String?

    @Option(name: .customLong("sink-url"), help: ArgumentHelp("With --sink http: the URL events are POSTed to.", valueName: "URL"))
    var sinkURL: String?

    @Option(name: .customLong("sink-command"), help: ArgumentHelp("With --sink exec: the command run per event.", valueName: "COMMAND"))
    var sinkCommand: String?

    @Option(name: .customLong("sink-timeout"), help: ArgumentHelp("Longest delivery attempt (default 10s).", valueName: "DURATION"))
    var sinkTimeout: String?

    @Option(name: .customLong("sink-max-attempts"), help: ArgumentHelp("Attempts before an event is dead-lettered (default 12).", valueName: "N"))
    var sinkMaxAttempts: String?

    @Option(name: .customLong("sink-retry-base"), help: ArgumentHelp("First retry delay, doubled each time (default 2s).", valueName: "DURATION"))
    var sinkRetryBase: String?

    @Option(name: .customLong("sink-retry-max"), help: ArgumentHelp("Longest retry delay (default 10m).", valueName: "DURATION"))
    var sinkRetryMax: String?

    @Option(name: .customLong("sink-concurrency"), help: ArgumentHelp("Deliveries at once (default 4).", valueName: "N"))
    var sinkConcurrency: String?

    /// The flags given, as settings with the same names as in the file.
    var commandLineEntries: [ConfigEntry] {
        var entries: [ConfigEntry] = []
        func add(_ key: String, _ value: String?) {
            if let value { entries.append(ConfigEntry(key: key, value: value, source: .commandLine)) }
        }
        add("listen", listen)
        add("db", db)
        alipayPublicKeys.forEach { add("alipay-public-key", $0) }
        appIDs.forEach { add("app-id", $0) }
        add("seller-id", sellerID)
        add("notify-path", notifyPath)
        add("accept-unknown-orders", acceptUnknownOrders.map { $0 ? "true" : "false" })
        add("legacy-rsa", legacyRSA.map { $0 ? "true" : "false" })
        add("max-body-size", maxBodySize)
        add("max-connections", maxConnections)
        add("header-timeout", headerTimeout)
        add("body-timeout", bodyTimeout)
        add("idle-timeout", idleTimeout)
        add("threads", threads)
        add("log-level", logLevel)
        add("shutdown-grace", shutdownGrace)
        add("min-free-disk", minFreeDisk)
        add("log-format", logFormat)
        add("admin-listen", adminListen)
        add("sink", sink)
        add("sink-url", sinkURL)
        add("sink-command", sinkCommand)
        add("sink-timeout", sinkTimeout)
        add("sink-max-attempts", sinkMaxAttempts)
        add("sink-retry-base", sinkRetryBase)
        add("sink-retry-max", sinkRetryMax)
        add("sink-concurrency", sinkConcurrency)
        return entries
    }

    func run() throws {
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(configFile: config, commandLine: commandLineEntries)
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
