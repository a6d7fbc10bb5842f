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
        case .postgres(let connectionString): return PostgresLedgerStore.redacted(connectionString)
        }
    }

    /// Opens the ledger for a command: the database must be there now, and
    /// an error says why it is not.
    public func open() throws -> any LedgerStore {
        switch self {
        case .sqlite(let path):
            return try SQLiteLedgerStore(path: path)
        case .postgres(let connectionString):
            let store = PostgresLedgerStore(connectionString: connectionString)
            try store.connect()
            return store
        }
    }

    /// Opens the ledger for the daemon. An SQLite file is opened (and
    /// migrated) now, with commits made durable by the writer's own fsync
    /// and checkpoints on a thread of their own. A PostgreSQL database is
    /// connected to lazily, so that the daemon starts while it is away.
    public func openForDaemon() throws -> any LedgerStore {
        switch self {
        case .sqlite(let path):
            return try SQLiteLedgerStore(path: path, explicitSync: true, backgroundCheckpoints: true)
        case .postgres(let connectionString):
            return PostgresLedgerStore(connectionString: connectionString)
        }
    }
}
