/// The reconciler's statements, written once for both stores (see
/// `SQLLedgerStore+Reconciliation.swift` for the rules they serve).
enum ReconciliationStatements {
    /// Serializes claims between daemons sharing a PostgreSQL ledger, as
    /// the outbox's claims are; SQLite's write lock already does.
    static func claimLock(_ dialect: SQLDialect) -> SQLStatement? {
        dialect == .postgres ? postgresClaim : nil
    }

    static let postgresClaim = SQLStatement("SELECT pg_advisory_xact_lock(\(postgresClaimLock))")

    static let postgresClaimLock: Int64 = 0x414C_4950_4159_0003

    /// What is due, earliest first, through the partial index `orders_due`.
    static let due = SQLStatement("SELECT out_trade_no FROM orders WHERE next_query_at <= $1 ORDER BY next_query_at LIMIT $2")

    /// The claim: the next query time becomes the lease's end.
    static let claim = SQLStatement("""
        UPDATE orders SET next_query_at = $2, lease_owner = $3 WHERE out_trade_no = $1 AND next_query_at <= $4
        RETURNING \(LedgerRows.reconciliationColumns)
        """)

    static let release = SQLStatement("""
        UPDATE orders SET next_query_at = $2, lease_owner = NULL
        WHERE lease_owner IS NOT NULL AND substr(lease_owner, 1, length($1)) = $1 AND next_query_at IS NOT NULL
        """)

    static let reconciliation = SQLStatement("SELECT \(LedgerRows.reconciliationColumns) FROM orders WHERE out_trade_no = $1")

    /// A business order's serials with their trades' last observations
    /// (the history's index leads with out_trade_no: one probe each).
    static let serials = SQLStatement("""
        SELECT \(LedgerRows.reconciliationColumns),
               (SELECT max(received_at) FROM notifications WHERE notifications.out_trade_no = orders.out_trade_no)
        FROM orders WHERE business_order = $1 ORDER BY created_at, out_trade_no
        """)

    /// The reconciler's decision, unless the order was paid or closed
    /// meanwhile, or (with an owner, $8) another daemon holds its claim now;
    /// a close answered ($9) is kept until the next one.
    static let reschedule = SQLStatement("""
        UPDATE orders SET state = $2, next_query_at = $3, queries = $4, unknown_since = $5, close_requested_at = $6, lease_owner = $7,
                          close_answered_at = coalesce($9::text, close_answered_at)
        WHERE out_trade_no = $1 AND state <> 'paid' AND state <> 'closed' AND ($8::text IS NULL OR lease_owner = $8)
        """)

    static func rescheduleValues(_ update: OrderScheduleUpdate, owner: String?) -> [SQLValue] {
        [.text(update.outTradeNo), .text(update.state.rawValue), .optional(update.nextQueryAt), .integer(Int64(update.queries)),
         .optional(update.unknownSince), .optional(update.closeRequestedAt), .optional(update.holder), .optional(owner),
         .optional(update.closeAnsweredAt)]
    }

    static let requestClose = SQLStatement("""
        UPDATE orders SET close_requested_at = coalesce(close_requested_at, $2), next_query_at = $3
        WHERE out_trade_no = $1 AND state <> 'paid' AND state <> 'closed' AND ($4::text IS NULL OR lease_owner = $4)
        """)

    static let countsByState = SQLStatement("SELECT state, count(*) FROM orders GROUP BY state")

    /// The oldest order still being asked about (orders from before
    /// reconciliation have no schedule and are left out).
    static let oldestOpen = SQLStatement("""
        SELECT created_at FROM orders WHERE state = 'open' AND next_query_at IS NOT NULL ORDER BY created_at LIMIT 1
        """)
}
