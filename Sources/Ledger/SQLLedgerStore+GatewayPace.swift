/// The shared pace's row, written once for both stores. One statement
/// creates the row when it is missing and locks it when it is not (an
/// `INSERT … ON CONFLICT DO UPDATE` that changes nothing but takes the row
/// lock on PostgreSQL; SQLite's write lock covers the transaction), a
/// second writes it back: five round trips with `BEGIN`, PostgreSQL's
/// `SET LOCAL` and `COMMIT`.
extension SQLLedgerStore {
    public func updateGatewayPace<T>(appID: String, initial: GatewayPaceRow, _ change: (inout GatewayPaceRow) -> T) throws -> T {
        try inTransaction { connection in
            if let unflushed = GatewayPaceStatements.withoutWaitingForTheDisk(connection.dialect) { try connection.run(unflushed, []) }
            let values: [SQLValue] = [.text(appID), .integer(initial.nextSlotMicros), .integer(initial.intervalMicros), .integer(initial.changedAtMicros)]
            let found = try connection.firstRow(GatewayPaceStatements.lockOrCreate, values) { row in
                GatewayPaceRow(nextSlotMicros: row.int(0), intervalMicros: row.int(1), changedAtMicros: row.int(2))
            } ?? initial
            var row = found
            let result = change(&row)
            if row != found {
                try connection.run(GatewayPaceStatements.write, [.text(appID), .integer(row.nextSlotMicros), .integer(row.intervalMicros),
                                                                 .integer(row.changedAtMicros)])
            }
            return result
        }
    }
}

/// The statements of the shared pace (see `GatewayPaceBook`).
enum GatewayPaceStatements {
    /// PostgreSQL commits the pace without waiting for its WAL flush: a
    /// slot lost in a crash of the database costs one call spaced less than
    /// it should have been, and waiting for the disk would cost every call
    /// to Alipay a flush (three connections at once: about 2,900 slots/s
    /// waiting for it, 4,600–6,500 without). SQLite's single daemon does not
    /// use the shared pace.
    static func withoutWaitingForTheDisk(_ dialect: SQLDialect) -> SQLStatement? {
        dialect == .postgres ? setLocalAsynchronousCommit : nil
    }

    static let setLocalAsynchronousCommit = SQLStatement("SET LOCAL synchronous_commit TO OFF")

    static let lockOrCreate = SQLStatement("""
        INSERT INTO gateway_pace(app_id, next_slot_us, interval_us, changed_at_us) VALUES ($1, $2, $3, $4)
        ON CONFLICT (app_id) DO UPDATE SET app_id = excluded.app_id
        RETURNING next_slot_us, interval_us, changed_at_us
        """)

    static let write = SQLStatement("""
        UPDATE gateway_pace SET next_slot_us = $2, interval_us = $3, changed_at_us = $4 WHERE app_id = $1
        """)
}
