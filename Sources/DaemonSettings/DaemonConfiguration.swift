import ActiveSide
import HTTPClient
import HTTPServer
import Ledger
import Logging
import Observability

/// Everything the daemon is told, after the config file and the command
/// line were merged and checked. Built only through `load`, so an instance
/// is always complete and valid (key files are read later, by `AlipayKeys`).
public struct DaemonConfiguration: Sendable {
    public var listen = SocketAddress(host: "127.0.0.1", port: 8080)
    public var ledger = LedgerLocation.sqlite(path: "alipay-notifyd.db")
    public var alipayPublicKeyPaths: [String] = []
    public var appIDs: [String] = []
    public var sellerID: String?
    public var notifyPath = "/notify"
    public var acceptsUnknownOrders = false
    public var allowsLegacyRSA = false
    public var http = HTTPServerConfiguration()
    public var logLevel: Logger.Level = .info
    public var logFormat = LineLogHandler.Format.text
    public var shutdownGracePeriod: Duration = .seconds(10)
    /// Below this much free space on the SQLite ledger's filesystem the daemon is not ready.
    public var minimumFreeDiskBytes = 64 << 20
    /// Write connections to a PostgreSQL ledger (SQLite always has one writer).
    public var ledgerWriters = 1
    /// The command-line settings, kept to be applied again on top of the file at a reload.
    public var commandLineEntries: [ConfigEntry] = []
    /// The admin listener; nil when turned off.
    public var adminListen: SocketAddress? = SocketAddress(host: "127.0.0.1", port: 8081)
    /// The file of bearer tokens the admin listener requires; nil: none
    /// (then the listener must be on loopback).
    public var adminTokenFile: String?
    public var sink = SinkSettings()
    public var gateway = GatewaySettings()
    /// Order expiry and when orders are asked about.
    public var reconciliation = ReconciliationPolicy()
    /// Every duplicate payment gets a full refund request, sent by itself.
    public var refundsDuplicatePayments = true
    /// The pause between a refund call and the refund query that confirms it.
    public var refundQueryPause: Duration = .seconds(10)
    /// The config file this came from, if any (for reloads and messages).
    public var configFilePath: String?
    /// Where each setting was given, for error messages about its value.
    public var sources: [String: ConfigSource] = [:]

    public init() {}

    /// Reads the config file (if any), applies the command-line settings on
    /// top (a list given on the command line replaces the file's list), and
    /// checks the result.
    public static func load(configFile: String?, commandLine: [ConfigEntry]) throws(ConfigurationError) -> DaemonConfiguration {
        var entries = try fileEntries(configFile)
        let overridden = Set(commandLine.map(\.key))
        entries.removeAll { overridden.contains($0.key) }
        var configuration = DaemonConfiguration()
        configuration.configFilePath = configFile
        configuration.commandLineEntries = commandLine
        try configuration.apply(entries + commandLine)
        try configuration.validate()
        return configuration
    }

    /// The entries of the config file, in order; none without a file.
    static func fileEntries(_ configFile: String?) throws(ConfigurationError) -> [ConfigEntry] {
        guard let configFile else { return [] }
        let bytes: [UInt8]
        do {
            bytes = try FileReading.bytes(atPath: configFile)
        } catch {
            throw ConfigurationError(source: nil, key: nil, problem: "config file: \(error)")
        }
        return try ConfigFile.parse(bytes, path: configFile)
    }

    /// The ledger for the commands that only need the database: `db` from
    /// the command line, else the config file's, else the default, read by
    /// the `db` setting like the daemon reads it. The file's other settings
    /// are not looked at.
    public static func ledger(configFile: String?, commandLine db: String?) throws(ConfigurationError) -> LedgerLocation {
        try forLedgerCommands(configFile: configFile, db: db).ledger
    }

    /// The settings a command that only registers or lists orders needs:
    /// `db`, and the order expiry and first query time (`order-timeout`,
    /// `reconcile-after`), from the config file and `db` from the command
    /// line. The file's other settings are not looked at.
    public static func forLedgerCommands(configFile: String?, db: String?) throws(ConfigurationError) -> DaemonConfiguration {
        var entries = try fileEntries(configFile)
        if let db { entries.append(ConfigEntry(key: "db", value: db, source: .commandLine)) }
        var configuration = DaemonConfiguration()
        for key in ["db", "order-timeout", "reconcile-after"] {
            if let entry = entries.last(where: { $0.key == key }), let setting = Setting.named(key) {
                try setting.apply(entry, to: &configuration)
            }
        }
        return configuration
    }

    /// Puts each entry in force through its declared `Setting`, in order.
    /// An unknown name (with the closest known one), a second value for a
    /// setting that takes one, and a value its type refuses are errors that
    /// name where the entry was given.
    mutating func apply(_ entries: [ConfigEntry]) throws(ConfigurationError) {
        var seen: [String: ConfigSource] = [:]
        for entry in entries {
            guard let setting = Setting.named(entry.key) else {
                let hint = Setting.suggestion(for: entry.key).map { " (did you mean '\($0)'?)" } ?? ""
                throw ConfigurationError(source: entry.source, key: nil, problem: "unknown setting '\(entry.key)'\(hint)")
            }
            if !setting.isList, let earlier = seen[entry.key] {
                throw ConfigurationError(source: entry.source, key: entry.key,
                                         problem: "given twice (first at \(earlier)); '\(entry.key)' takes one value")
            }
            seen[entry.key] = entry.source
            sources[entry.key] = entry.source
            try setting.apply(entry, to: &self)
        }
    }

    /// The settings without which the daemon cannot decide anything.
    func validate() throws(ConfigurationError) {
        if alipayPublicKeyPaths.isEmpty {
            throw ConfigurationError(source: nil, key: nil, problem:
                "no Alipay public key configured: set 'alipay-public-key = FILE' in the config file or pass --alipay-public-key FILE (the key from the Alipay console, as PEM, bare base64 or a certificate)")
        }
        if let adminListen, !adminListen.isLoopback, adminTokenFile == nil {
            throw ConfigurationError(source: sources["admin-listen"], key: "admin-listen", problem:
                "'\(adminListen)' is not a loopback address, and no admin-token-file is set: anyone who can reach it could refund and register orders. Set admin-token-file = FILE (one token per line; clients send Authorization: Bearer TOKEN), or listen on 127.0.0.1")
        }
        if let adminListen, adminListen.port != 0, adminListen == listen {
            throw ConfigurationError(source: sources["admin-listen"], key: "admin-listen", problem:
                "is the same address as 'listen'; the admin listener needs a port of its own (it must never be reachable as the notify URL)")
        }
        switch sink.kind {
        case .http where sink.url == nil:
            throw ConfigurationError(source: sources["sink"], key: "sink", problem: "is http but no 'sink-url' is set (sink-url = http://127.0.0.1:9000/alipay-events)")
        case .http:
            do {
                _ = try HTTPURL(sink.url ?? "", policy: .httpOrHTTPS, setting: "sink-url", example: "https://fulfil.internal/alipay-events")
            } catch {
                throw ConfigurationError(source: sources["sink-url"], key: "sink-url", problem: "'\(error.value)' \(error.problem); \(error.remedy)")
            }
        case .exec where sink.command == nil:
            throw ConfigurationError(source: sources["sink"], key: "sink", problem: "is exec but no 'sink-command' is set (sink-command = /usr/local/bin/fulfil-order)")
        default:
            break
        }
        if appIDs.isEmpty {
            throw ConfigurationError(source: nil, key: nil, problem:
                "no app id configured: set 'app-id = YOUR_APP_ID' in the config file or pass --app-id (notifications for other apps must be refused)")
        }
    }
}
