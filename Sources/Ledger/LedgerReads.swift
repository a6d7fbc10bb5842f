/// The statements that read the ledger, written once in PostgreSQL's `$n`
/// form for both stores; `LedgerRows` decodes what they return.
package enum LedgerReads {
    static let order = SQLStatement("SELECT \(LedgerRows.orderColumns) FROM orders WHERE out_trade_no = $1")

    static let ordersNewestFirst = SQLStatement("SELECT \(LedgerRows.orderColumns) FROM orders ORDER BY created_at DESC, out_trade_no LIMIT $1")

    static let ordersInStateNewestFirst = SQLStatement(
        "SELECT \(LedgerRows.orderColumns) FROM orders WHERE state = $1 ORDER BY created_at DESC, out_trade_no LIMIT $2")

    static let trade = SQLStatement("SELECT \(LedgerRows.tradeColumns) FROM trades WHERE out_trade_no = $1")

    static let shippedAt = SQLStatement("SELECT shipped_at FROM trades WHERE out_trade_no = $1")

    static let observationExists = SQLStatement("SELECT 1 FROM notifications WHERE out_trade_no = $1 AND notify_id = $2")

    static let businessOrderPayer = SQLStatement("SELECT out_trade_no FROM business_order_payments WHERE business_order = $1")

    static let tradeHistory = SQLStatement("""
        SELECT \(LedgerRows.historyColumns) FROM notifications WHERE out_trade_no = $1 ORDER BY id
        """)

    static let tradeGatewayCalls = SQLStatement("""
        SELECT \(LedgerRows.gatewayCallColumns) FROM gateway_calls WHERE out_trade_no = $1 ORDER BY requested_at, id
        """)

    static let tradeQuarantine = SQLStatement("""
        SELECT \(LedgerRows.quarantineColumns) FROM quarantine WHERE out_trade_no = $1 ORDER BY id
        """)

    /// A trade's events, each store through its own index: SQLite finds them
    /// by the unique id (ids start with `OUT_TRADE_NO/`, and "0" follows
    /// "/"), PostgreSQL, whose text order follows a collation, by
    /// `events_by_trade`.
    static func tradeEvents(_ dialect: SQLDialect, _ outTradeNo: String) -> (statement: SQLStatement, values: [SQLValue]) {
        switch dialect {
        case .sqlite: return (sqliteTradeEvents, [.text(outTradeNo + "/"), .text(outTradeNo + "0"), .text(outTradeNo)])
        case .postgres: return (postgresTradeEvents, [.text(outTradeNo)])
        }
    }

    static let sqliteTradeEvents = SQLStatement(
        "SELECT \(LedgerRows.eventColumns) FROM events WHERE id >= $1 AND id < $2 AND out_trade_no = $3 ORDER BY seq")

    static let postgresTradeEvents = SQLStatement("SELECT \(LedgerRows.eventColumns) FROM events WHERE out_trade_no = $1 ORDER BY seq")

    /// Serializes work on one trade (or its business order, which covers
    /// every serial of it) between daemons sharing a PostgreSQL ledger. SQLite
    /// needs none: the writer's `BEGIN IMMEDIATE` holds the only write lock.
    static func lockTrade(_ dialect: SQLDialect) -> SQLStatement? {
        dialect == .postgres ? postgresLockTrade : nil
    }

    static let postgresLockTrade = SQLStatement("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")

    /// The advisory lock a submission takes: per business order, else per trade.
    package static func lockKey(outTradeNo: String, businessOrder: String?) -> String {
        businessOrder.map { "b:\($0)" } ?? "t:\(outTradeNo)"
    }
}
