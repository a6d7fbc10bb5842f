/// One row of a result, as the ledger's shared decoding reads it: written
/// once for both stores, with each store's row (an SQLite statement on its
/// current row, a libpq result row) behind it.
public protocol SQLRow: SendableMetatype {
    func isNull(_ column: Int) -> Bool
    func int(_ column: Int) -> Int64
    func text(_ column: Int) -> String
    /// SQLite stores booleans as 0/1, PostgreSQL as `t`/`f`.
    func bool(_ column: Int) -> Bool
}

extension SQLRow {
    public func optionalInt(_ column: Int) -> Int64? {
        isNull(column) ? nil : int(column)
    }

    public func optionalText(_ column: Int) -> String? {
        isNull(column) ? nil : text(column)
    }
}
