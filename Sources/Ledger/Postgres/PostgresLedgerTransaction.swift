import AlipayNotify

/// The ledger primitives in SQL for PostgreSQL. Several daemons write at
/// once, so `lockTrade` takes a transaction-scoped advisory lock on the
/// trade, or on its business order when it has one (which covers every
/// serial of that order); everything after it in the transaction is
/// serialized with any other daemon working on the same order.
struct PostgresLedgerTransaction: LedgerTransaction {
    let connection: PostgresConnection

    /// The advisory lock a submission takes: per business order, else per trade.
    static func lockKey(outTradeNo: String, businessOrder: String?) -> String {
        businessOrder.map { "b:\($0)" } ?? "t:\(outTradeNo)"
    }

    func notificationExists(_ notifyID: String) throws -> Bool {
        try connection.query("SELECT 1 FROM notifications WHERE notify_id = $1", [.text(notifyID)]).count > 0
    }

    func order(_ outTradeNo: String) throws -> MerchantOrder? {
        let rows = try connection.query("SELECT out_trade_no, total_fen, business_order, created_at FROM orders WHERE out_trade_no = $1",
                                        [.text(outTradeNo)])
        guard rows.count > 0 else { return nil }
        return Self.readOrder(rows, 0)
    }

    static func readOrder(_ rows: PostgresRows, _ row: Int) -> MerchantOrder {
        MerchantOrder(outTradeNo: rows.text(row, 0), totalAmount: Fen(rows.int(row, 1)),
                      businessOrder: rows.optionalText(row, 2), createdAt: rows.text(row, 3))
    }

    func lockTrade(_ outTradeNo: String, businessOrder: String?) throws -> TradeRecord? {
        try connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                             [.text(Self.lockKey(outTradeNo: outTradeNo, businessOrder: businessOrder))])
        return try readTrade(outTradeNo)
    }

    func readTrade(_ outTradeNo: String) throws -> TradeRecord? {
        let rows = try connection.query("""
            SELECT out_trade_no, status, trade_no, total_fen, paid, shipped, duplicate_payment, refunded_fen, close_reason
            FROM trades WHERE out_trade_no = $1
            """, [.text(outTradeNo)])
        guard rows.count > 0 else { return nil }
        return TradeRecord(
            outTradeNo: rows.text(0, 0), status: TradeStatus(rawValue: rows.text(0, 1)) ?? .waitBuyerPay,
            tradeNo: rows.optionalText(0, 2), totalAmount: Fen(rows.int(0, 3)), paid: rows.bool(0, 4),
            shipped: rows.bool(0, 5), duplicatePayment: rows.bool(0, 6), refunded: Fen(rows.int(0, 7)),
            closeReason: rows.optionalText(0, 8).flatMap(CloseReason.init(rawValue:))
        )
    }

    func businessOrderPayer(_ businessOrder: String) throws -> String? {
        let rows = try connection.query("SELECT out_trade_no FROM business_order_payments WHERE business_order = $1", [.text(businessOrder)])
        return rows.count > 0 ? rows.text(0, 0) : nil
    }

    func claimBusinessOrder(_ businessOrder: String, outTradeNo: String, at time: String) throws {
        try connection.query(LedgerWrites.insertPayer, LedgerWrites.payerValues(businessOrder, outTradeNo: outTradeNo, at: time))
    }

    func insertNotification(_ accepted: AcceptedNotification, decision: String) throws -> Bool {
        try connection.query(LedgerWrites.insertNotification, LedgerWrites.notificationValues(accepted, decision: decision)).affected == 1
    }

    func saveTrade(_ trade: TradeRecord, businessOrder: String?, shipment: ShipmentFacts?, at time: String) throws {
        try connection.query(LedgerWrites.upsertTrade, LedgerWrites.tradeValues(trade, businessOrder: businessOrder, shipment: shipment, at: time))
    }

    func insertEvent(_ event: PlannedEvent, context: EventContext) throws {
        try connection.query(LedgerWrites.insertEvent, LedgerWrites.eventValues(event, context: context))
    }

    func quarantine(_ entry: QuarantineEntry, at time: String) throws {
        try connection.query(LedgerWrites.upsertQuarantine, LedgerWrites.quarantineValues(entry, at: time))
    }
}
