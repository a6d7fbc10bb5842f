/// One way to claim what is due, for the reconciler's orders and the
/// refunder's requests: in one transaction (after `lock`, which serializes
/// claimers on PostgreSQL), the keys `due` finds through its due-time index,
/// each then leased by `claim`, which moves its due time to the lease's end
/// and names the owner (and claims nothing someone else leased meanwhile).
/// `claim` takes the key's values, then the lease's end, the owner and now.
extension SQLLedgerStore {
    func claimDue<T>(lock: (SQLDialect) -> SQLStatement?, due: SQLStatement, claim: SQLStatement, owner: String, limit: Int, leaseSeconds: Double,
                     key: @escaping (Connection.Row) -> [SQLValue], decode: @escaping (Connection.Row) -> T) throws -> [T] {
        let now = Timestamp.now()
        let leaseUntil = Timestamp.fromNow(seconds: leaseSeconds)
        return try inTransaction { connection in
            if let lock = lock(connection.dialect) { _ = try connection.rows(lock, []) { _ in () } }
            let keys = try connection.rows(due, [.text(now), .integer(Int64(limit))], key)
            return try keys.compactMap { key in
                try connection.firstRow(claim, key + [.text(leaseUntil), .text(owner), .text(now)], decode)
            }
        }
    }
}
