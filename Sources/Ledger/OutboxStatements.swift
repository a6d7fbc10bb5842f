import AlipayNotify

/// The outbox's statements, written once for both stores (see
/// `SQLLedgerStore+Outbox.swift` for the rules they serve).
enum OutboxStatements {
    /// Serializes claims between daemons sharing a PostgreSQL ledger (a claim
    /// takes milliseconds). SQLite's `BEGIN IMMEDIATE` already does.
    static func claimLock(_ dialect: SQLDialect) -> SQLStatement? {
        dialect == .postgres ? postgresClaim : nil
    }

    static let postgresClaim = SQLStatement("SELECT pg_advisory_xact_lock(\(postgresClaimLock))")

    /// The advisory lock key that serializes claims.
    static let postgresClaimLock: Int64 = 0x414C_4950_4159_0002

    static let deadTrades = SQLStatement("SELECT DISTINCT out_trade_no FROM events WHERE state = 'dead'")

    static let pendingInOrder = SQLStatement("SELECT \(LedgerRows.eventColumns) FROM events WHERE state = 'pending' ORDER BY seq LIMIT 2000")

    static let lease = SQLStatement("UPDATE events SET lease_owner = $1, lease_until = $2 WHERE id = $3 RETURNING \(LedgerRows.eventColumns)")

    /// Delivered (or acknowledged by a consumer); with an owner, only while it holds the lease.
    static let delivered = SQLStatement("""
        UPDATE events SET state = 'delivered', delivered_at = $1, attempts = attempts + 1, lease_owner = NULL, lease_until = NULL
        WHERE id = $2 AND state = 'pending' AND ($3::text IS NULL OR lease_owner = $3)
        """)

    /// A failed attempt: retried at $2, or dead-lettered when it is null.
    static let failed = SQLStatement("""
        UPDATE events SET attempts = attempts + 1, last_error = $1, next_attempt_at = coalesce($2, next_attempt_at),
                          state = CASE WHEN $2::text IS NULL THEN 'dead' ELSE 'pending' END,
                          lease_owner = NULL, lease_until = NULL
        WHERE id = $3 AND state = 'pending' AND lease_owner = $4
        """)

    static let redeliver = SQLStatement("""
        UPDATE events SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_owner = NULL, lease_until = NULL
        WHERE id = $2 AND state = 'dead'
        """)

    static let state = SQLStatement("SELECT state FROM events WHERE id = $1")

    static let releaseLeases = SQLStatement("""
        UPDATE events SET lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND substr(lease_owner, 1, length($1)) = $1
        """)

    static let event = SQLStatement("SELECT \(LedgerRows.eventColumns) FROM events WHERE id = $1")

    /// Events, oldest first, optionally of one state and kind. The state is
    /// a literal (one of `OutboxEventState`'s words), not a parameter, so that
    /// SQLite uses the partial index of pending events.
    static func events(state: OutboxEventState?, kind: LedgerEventKind?, limit: Int) -> (statement: SQLStatement, values: [SQLValue]) {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let state {
            conditions.append("state = '\(state.rawValue)'")
        }
        if let kind {
            values.append(.text(kind.rawValue))
            conditions.append("kind = $\(values.count)")
        }
        values.append(.integer(Int64(limit)))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") + " "
        return (.dynamic("SELECT \(LedgerRows.eventColumns) FROM events \(filter)ORDER BY seq LIMIT $\(values.count)"), values)
    }

    static let backlog = SQLStatement("""
        SELECT (SELECT count(*) FROM events WHERE state = 'pending'), (SELECT count(*) FROM events WHERE state = 'dead'),
               (SELECT created_at FROM events WHERE state = 'pending' ORDER BY seq LIMIT 1)
        """)
}
