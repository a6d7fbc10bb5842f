import Ledger
import PostgresLedger
import SQLiteLedger

/// Opening the store a location names: the one place that knows both kinds.
extension LedgerLocation {
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

    /// Opens a reading connection for the daemon's operator reads (see
    /// `LedgerReader`): after `openForDaemon`, which migrated the ledger.
    public func openReader() throws -> any LedgerStore {
        switch self {
        case .sqlite(let path):
            return try SQLiteLedgerStore.reader(path: path)
        case .postgres(let connectionString):
            return PostgresLedgerStore(connectionString: connectionString)
        }
    }
}
