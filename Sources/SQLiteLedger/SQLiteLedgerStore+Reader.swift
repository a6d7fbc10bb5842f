extension SQLiteLedgerStore {
    /// A connection to the ledger at `path` for reads only (`query_only`):
    /// the writer opened and migrated the file already, and in WAL mode
    /// this connection's reads never wait for the writer's transactions.
    public static func reader(path: String) throws -> SQLiteLedgerStore {
        let store = try SQLiteLedgerStore(path: path)
        try store.database.execute("PRAGMA query_only = ON")
        return store
    }
}
