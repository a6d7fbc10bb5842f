/// Every setting the daemon knows: its name (the same in the config file
/// and as a `--flag`), whether it may be repeated, the form of its value
/// and what it does. The single source for validation, suggestions and the
/// configuration reference.
public struct ConfigKey: Sendable {
    public let name: String
    public let isList: Bool
    public let valueForm: String
    public let summary: String

    public static let all: [ConfigKey] = [
        ConfigKey(name: "listen", isList: false, valueForm: "HOST:PORT",
                  summary: "Address of the notify listener (default 127.0.0.1:8080; 0.0.0.0:PORT to face the internet)."),
        ConfigKey(name: "db", isList: false, valueForm: "PATH|URL",
                  summary: "The ledger: an SQLite file (default alipay-notifyd.db), or a PostgreSQL database shared by several daemons (postgres://user@host:5432/dbname, or libpq's 'host=… dbname=…'). Created and migrated at start-up."),
        ConfigKey(name: "alipay-public-key", isList: true, valueForm: "FILE",
                  summary: "Alipay's public key: PEM, bare base64 as the console shows it, or an X.509 certificate. Repeat during a key rotation."),
        ConfigKey(name: "app-id", isList: true, valueForm: "ID",
                  summary: "Your Alipay app_id. Notifications for other app ids are refused. Repeatable."),
        ConfigKey(name: "seller-id", isList: false, valueForm: "ID",
                  summary: "Your seller_id (2088…). When set, notifications for another seller are refused."),
        ConfigKey(name: "notify-path", isList: false, valueForm: "PATH",
                  summary: "The path of your notify_url (default /notify). Its query string is ignored."),
        ConfigKey(name: "accept-unknown-orders", isList: false, valueForm: "true|false",
                  summary: "Record notifications for out_trade_no values never registered with 'orders add' (default false; their amount cannot be checked)."),
        ConfigKey(name: "legacy-rsa", isList: false, valueForm: "true|false",
                  summary: "Also accept sign_type=RSA (SHA1withRSA). Default false: only RSA2."),
        ConfigKey(name: "max-body-size", isList: false, valueForm: "SIZE",
                  summary: "Largest request body (default 256KiB). Larger requests are answered 413."),
        ConfigKey(name: "max-connections", isList: false, valueForm: "N",
                  summary: "Open connections at most (default 4096); more are refused at once."),
        ConfigKey(name: "header-timeout", isList: false, valueForm: "DURATION",
                  summary: "Time a client has to send a whole request head (default 10s), then 408 and close."),
        ConfigKey(name: "body-timeout", isList: false, valueForm: "DURATION",
                  summary: "Time a client has to send the body after the head (default 30s)."),
        ConfigKey(name: "idle-timeout", isList: false, valueForm: "DURATION",
                  summary: "An idle keep-alive connection is closed after this (default 60s)."),
        ConfigKey(name: "threads", isList: false, valueForm: "N",
                  summary: "Event-loop threads that parse and verify (default: one per core)."),
        ConfigKey(name: "log-level", isList: false, valueForm: "LEVEL",
                  summary: "trace, debug, info (default), notice, warning, error or critical."),
        ConfigKey(name: "log-format", isList: false, valueForm: "text|json",
                  summary: "text (default; journald-friendly under systemd) or json (one JSON object per line)."),
        ConfigKey(name: "shutdown-grace", isList: false, valueForm: "DURATION",
                  summary: "On SIGTERM, time to finish requests in flight before closing them (default 10s)."),
        ConfigKey(name: "min-free-disk", isList: false, valueForm: "SIZE",
                  summary: "GET /readyz answers 503 when the SQLite ledger's filesystem has less free space than this (default 64MiB)."),
        ConfigKey(name: "admin-listen", isList: false, valueForm: "HOST:PORT|off",
                  summary: "Loopback address of the admin listener: orders, trades, events (default 127.0.0.1:8081)."),
        ConfigKey(name: "sink", isList: false, valueForm: "none|http|exec",
                  summary: "Where outbox events go: none (default; your consumer claims them), http or exec."),
        ConfigKey(name: "sink-url", isList: false, valueForm: "URL",
                  summary: "With sink = http: the http:// URL events are POSTed to as JSON."),
        ConfigKey(name: "sink-command", isList: false, valueForm: "COMMAND",
                  summary: "With sink = exec: the command run per event (event JSON on stdin, ALIPAY_* variables)."),
        ConfigKey(name: "sink-timeout", isList: false, valueForm: "DURATION",
                  summary: "Longest one delivery attempt may take (default 10s); a hung command is killed."),
        ConfigKey(name: "sink-max-attempts", isList: false, valueForm: "N",
                  summary: "Attempts before an event is dead-lettered (default 12)."),
        ConfigKey(name: "sink-retry-base", isList: false, valueForm: "DURATION",
                  summary: "Delay after the first failed attempt, doubled each time, with jitter (default 2s)."),
        ConfigKey(name: "sink-retry-max", isList: false, valueForm: "DURATION",
                  summary: "Longest delay between two attempts (default 10m)."),
        ConfigKey(name: "sink-concurrency", isList: false, valueForm: "N",
                  summary: "Deliveries in progress at once, for different trades (default 4)."),
    ]

    public static func named(_ name: String) -> ConfigKey? {
        all.first { $0.name == name }
    }

    /// The known setting closest to a misspelled one, if any is close.
    static func suggestion(for name: String) -> String? {
        let scored = all.map { ($0.name, editDistance($0.name, name)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, name.count / 4) else { return nil }
        return best
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
