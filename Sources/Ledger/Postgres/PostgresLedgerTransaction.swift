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
        try connection.query("INSERT INTO business_order_payments(business_order, out_trade_no, paid_at) VALUES ($1, $2, $3)",
                             [.text(businessOrder), .text(outTradeNo), .text(time)])
    }

    func insertNotification(_ accepted: AcceptedNotification, decision: String) throws -> Bool {
        let n = accepted.notification
        return try connection.query("""
            INSERT INTO notifications(notify_id, out_trade_no, trade_status, trade_no, total_fen, refund_fen,
                                      out_biz_no, notify_time, received_at, decision, raw_body)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (notify_id) DO NOTHING
            """, [
                .text(n.notifyID), .text(n.outTradeNo), .text(n.tradeStatus.rawValue), .optional(n.tradeNo),
                .integer(n.totalAmount.value), .optional(n.refundFee?.value), .optional(n.outBizNo),
                .optional(n.notifyTime), .text(accepted.receivedAt), .text(decision), .blob(accepted.rawBody),
            ]).affected == 1
    }

    func saveTrade(_ trade: TradeRecord, businessOrder: String?, shipment: ShipmentFacts?, at time: String) throws {
        try connection.query("""
            INSERT INTO trades(out_trade_no, trade_no, status, total_fen, paid, shipped, duplicate_payment,
                               refunded_fen, close_reason, business_order, updated_at, shipped_at, ship_notify_id)
            VALUES ($1, $2, $3, $4, $5::boolean, $6::boolean, $7::boolean, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (out_trade_no) DO UPDATE SET
                trade_no = excluded.trade_no, status = excluded.status, paid = excluded.paid,
                shipped = excluded.shipped, duplicate_payment = excluded.duplicate_payment,
                refunded_fen = excluded.refunded_fen, close_reason = excluded.close_reason,
                updated_at = excluded.updated_at,
                shipped_at = coalesce(trades.shipped_at, excluded.shipped_at),
                ship_notify_id = coalesce(trades.ship_notify_id, excluded.ship_notify_id)
            """, [
                .text(trade.outTradeNo), .optional(trade.tradeNo), .text(trade.status.rawValue),
                .integer(trade.totalAmount.value), .text(trade.paid ? "true" : "false"), .text(trade.shipped ? "true" : "false"),
                .text(trade.duplicatePayment ? "true" : "false"), .integer(trade.refunded.value),
                .optional(trade.closeReason?.rawValue), .optional(businessOrder), .text(time),
                .optional(shipment?.shippedAt), .optional(shipment?.notifyID),
            ])
    }

    func insertEvent(_ event: PlannedEvent, context: EventContext) throws {
        try connection.query("""
            INSERT INTO events(id, kind, out_trade_no, notify_id, trade_no, business_order, amount_fen,
                               refunded_total_fen, close_reason, created_at, next_attempt_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
            ON CONFLICT (id) DO NOTHING
            """, [
                .text(event.id), .text(event.kind.rawValue), .text(context.outTradeNo), .text(context.notifyID),
                .optional(context.tradeNo), .optional(context.businessOrder), .integer(event.amount.value),
                .optional(event.refundedTotal?.value), .optional(event.closeReason?.rawValue), .text(context.createdAt),
            ])
    }

    func quarantine(_ entry: QuarantineEntry, at time: String) throws {
        try connection.query("""
            INSERT INTO quarantine(dedup_key, reason, detail, notify_id, out_trade_no, app_id, total_amount,
                                   first_seen_at, last_seen_at, raw_body)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
            ON CONFLICT (dedup_key) DO UPDATE SET last_seen_at = excluded.last_seen_at, times_seen = quarantine.times_seen + 1
            """, [
                .text(entry.deduplicationKey), .text(entry.reason.code), .text(entry.reason.description),
                .optional(entry.notifyID), .optional(entry.outTradeNo), .optional(entry.appID),
                .optional(entry.totalAmount), .text(time), .blob(entry.rawBody),
            ])
    }
}
