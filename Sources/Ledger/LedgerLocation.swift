/// Where the ledger lives, as `--db` or the config's `db` names it: an
/// SQLite file (the default), or a PostgreSQL database shared by several
/// daemons, given as a `postgres://` / `postgresql://` URL or in libpq's
/// keyword form (`host=db1 dbname=ledger user=notifyd`).
public enum LedgerLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(connectionString: String)

    public init(_ text: String) {
        self = Self.isConnectionString(text) ? .postgres(connectionString: text) : .sqlite(path: text)
    }

    /// True when `text` names a PostgreSQL database rather than a file.
    public static func isConnectionString(_ text: String) -> Bool {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") { return true }
        // The keyword form starts with a libpq keyword and '='.
        let keywords = ["host", "hostaddr", "port", "dbname", "user", "password", "service", "sslmode", "connect_timeout", "application_name"]
        let first = text.drop { $0 == " " }.prefix { $0 != "=" && $0 != " " }
        return text.contains("=") && keywords.contains(String(first))
    }

    /// For logs and messages: the file, or the connection string without its password.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let connectionString): return Self.redacted(connectionString)
        }
    }

    /// `text` without a password, for logs.
    public static func redacted(_ text: String) -> String {
        text.replacing(/:[^:@\/]*@/, with: ":***@").replacing(/password\s*=\s*\S+/, with: "password=***")
    }
}
