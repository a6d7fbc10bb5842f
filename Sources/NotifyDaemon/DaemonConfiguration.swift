import HTTPServer
import Ledger
import Logging

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
    /// The command-line settings, kept to be applied again on top of the file at a reload.
    public var commandLineEntries: [ConfigEntry] = []
    /// The admin listener; nil when turned off.
    public var adminListen: SocketAddress? = SocketAddress(host: "127.0.0.1", port: 8081)
    public var sink = SinkSettings()
    /// The config file this came from, if any (for reloads and messages).
    public var configFilePath: String?
    /// Where each setting was given, for error messages about its value.
    public var sources: [String: ConfigSource] = [:]

    public init() {}

    /// Reads the config file (if any), applies the command-line settings on
    /// top (a list given on the command line replaces the file's list), and
    /// checks the result.
    public static func load(configFile: String?, commandLine: [ConfigEntry]) throws(ConfigurationError) -> DaemonConfiguration {
        var entries: [ConfigEntry] = []
        if let configFile {
            let bytes: [UInt8]
            do {
                bytes = try FileReading.bytes(atPath: configFile)
            } catch {
                throw ConfigurationError(source: nil, key: nil, problem: "config file: \(error)")
            }
            entries = try ConfigFile.parse(bytes, path: configFile)
        }
        let overridden = Set(commandLine.map(\.key))
        entries.removeAll { overridden.contains($0.key) }
        var configuration = DaemonConfiguration()
        configuration.configFilePath = configFile
        configuration.commandLineEntries = commandLine
        try configuration.apply(entries + commandLine)
        try configuration.validate()
        return configuration
    }

    /// The ledger a config file names (resolved like the daemon does),
    /// for the commands that only need the database.
    public static func ledger(configFile: String) throws(ConfigurationError) -> LedgerLocation? {
        let bytes: [UInt8]
        do {
            bytes = try FileReading.bytes(atPath: configFile)
        } catch {
            throw ConfigurationError(source: nil, key: nil, problem: "config file: \(error)")
        }
        guard let entry = try ConfigFile.parse(bytes, path: configFile).last(where: { $0.key == "db" }) else { return nil }
        return try ConfigValue(entry: entry).ledgerLocation()
    }

    mutating func apply(_ entries: [ConfigEntry]) throws(ConfigurationError) {
        var seen: [String: ConfigSource] = [:]
        for entry in entries {
            guard let key = ConfigKey.named(entry.key) else {
                let hint = ConfigKey.suggestion(for: entry.key).map { " (did you mean '\($0)'?)" } ?? ""
                throw ConfigurationError(source: entry.source, key: nil, problem: "unknown setting '\(entry.key)'\(hint)")
            }
            if !key.isList, let earlier = seen[entry.key] {
                throw ConfigurationError(source: entry.source, key: entry.key,
                                         problem: "given twice (first at \(earlier)); '\(entry.key)' takes one value")
            }
            seen[entry.key] = entry.source
            sources[entry.key] = entry.source
            try apply(entry)
        }
    }

    private mutating func apply(_ entry: ConfigEntry) throws(ConfigurationError) {
        let value = ConfigValue(entry: entry)
        switch entry.key {
        case "listen":
            listen = try value.address()
        case "db":
            ledger = try value.ledgerLocation()
        case "alipay-public-key":
            alipayPublicKeyPaths.append(try value.path())
        case "app-id":
            appIDs.append(try value.identifier())
        case "seller-id":
            sellerID = try value.identifier()
        case "notify-path":
            notifyPath = try value.urlPath()
        case "accept-unknown-orders":
            acceptsUnknownOrders = try value.bool()
        case "legacy-rsa":
            allowsLegacyRSA = try value.bool()
        case "max-body-size":
            http.maximumBodyBytes = try value.size(in: 1024...(64 << 20))
        case "max-connections":
            http.maximumConnections = try value.integer(in: 1...1_000_000)
        case "header-timeout":
            http.headerTimeout = try value.duration()
        case "body-timeout":
            http.bodyTimeout = try value.duration()
        case "idle-timeout":
            http.idleTimeout = try value.duration()
        case "threads":
            http.eventLoopThreads = try value.integer(in: 1...256)
        case "log-level":
            logLevel = try value.logLevel()
        case "log-format":
            guard let format = LineLogHandler.Format(rawValue: entry.value) else {
                throw ConfigurationError(source: entry.source, key: entry.key, problem: "'\(entry.value)' is not a log format; use text or json")
            }
            logFormat = format
        case "shutdown-grace":
            shutdownGracePeriod = try value.duration()
        case "min-free-disk":
            minimumFreeDiskBytes = try value.size(in: 0...(1 << 50))
        case "admin-listen":
            if entry.value == "off" {
                adminListen = nil
            } else {
                let address = try value.address()
                guard address.isLoopback else {
                    throw ConfigurationError(source: entry.source, key: entry.key, problem:
                        "'\(entry.value)' is not a loopback address; the admin listener has no authentication, so it listens on 127.0.0.1 or [::1] only (reach it through SSH or a local proxy)")
                }
                adminListen = address
            }
        case "sink":
            guard let kind = SinkSettings.Kind(rawValue: entry.value) else {
                throw ConfigurationError(source: entry.source, key: entry.key, problem: "'\(entry.value)' is not a sink; use none, http or exec")
            }
            sink.kind = kind
        case "sink-url":
            sink.url = try value.nonEmpty()
        case "sink-command":
            sink.command = try value.nonEmpty()
        case "sink-timeout":
            sink.timeout = try value.duration()
        case "sink-max-attempts":
            sink.maximumAttempts = try value.integer(in: 1...1000)
        case "sink-retry-base":
            sink.retryBase = try value.duration()
        case "sink-retry-max":
            sink.retryMaximum = try value.duration()
        case "sink-concurrency":
            sink.concurrency = try value.integer(in: 1...64)
        default:
            throw ConfigurationError(source: entry.source, key: entry.key, problem: "is known but not handled (a bug)")
        }
    }

    /// The settings without which the daemon cannot decide anything.
    func validate() throws(ConfigurationError) {
        if alipayPublicKeyPaths.isEmpty {
            throw ConfigurationError(source: nil, key: nil, problem:
                "no Alipay public key configured: set 'alipay-public-key = FILE' in the config file or pass --alipay-public-key FILE (the key from the Alipay console, as PEM, bare base64 or a certificate)")
        }
        if let adminListen, adminListen.port != 0, adminListen == listen {
            throw ConfigurationError(source: sources["admin-listen"], key: "admin-listen", problem:
                "is the same address as 'listen'; the admin listener needs a port of its own (it must never be reachable as the notify URL)")
        }
        switch sink.kind {
        case .http where sink.url == nil:
            throw ConfigurationError(source: sources["sink"], key: "sink", problem: "is http but no 'sink-url' is set (sink-url = http://127.0.0.1:9000/alipay-events)")
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

/// Where outbox events are delivered, and how persistently.
public struct SinkSettings: Sendable {
    public enum Kind: String, Sendable {
        case none, http, exec
    }

    public var kind: Kind = .none
    public var url: String?
    public var command: String?
    public var timeout: Duration = .seconds(10)
    public var maximumAttempts = 12
    public var retryBase: Duration = .seconds(2)
    public var retryMaximum: Duration = .seconds(600)
    public var concurrency = 4
}
