import AlipayNotify

/// The ledger primitives in SQL for SQLite, with every statement prepared
/// once. Within the writer's `BEGIN IMMEDIATE` transaction the database is
/// locked for writing, so a plain read is already a locked read.
final class SQLiteLedgerTransaction: LedgerTransaction {
    let database: SQLiteDatabase
    private let selectNotification: SQLiteStatement
    private let selectOrder: SQLiteStatement
    private let selectTrade: SQLiteStatement
    private let selectPayer: SQLiteStatement
    private let insertPayer: SQLiteStatement
    private let insertNotificationRow: SQLiteStatement
    private let upsertTrade: SQLiteStatement
    private let insertEventRow: SQLiteStatement
    private let upsertQuarantine: SQLiteStatement

    init(database: SQLiteDatabase) throws {
        self.database = database
        selectNotification = try database.statement("SELECT 1 FROM notifications WHERE notify_id = ?1")
        selectOrder = try database.statement("SELECT out_trade_no, total_fen, business_order, created_at FROM orders WHERE out_trade_no = ?1")
        selectTrade = try database.statement("""
            SELECT out_trade_no, status, trade_no, total_fen, paid, shipped, duplicate_payment, refunded_fen, close_reason
            FROM trades WHERE out_trade_no = ?1
            """)
        selectPayer = try database.statement("SELECT out_trade_no FROM business_order_payments WHERE business_order = ?1")
        insertPayer = try database.statement("INSERT INTO business_order_payments(business_order, out_trade_no, paid_at) VALUES (?1, ?2, ?3)")
        insertNotificationRow = try database.statement("""
            INSERT INTO notifications(notify_id, out_trade_no, trade_status, trade_no, total_fen, refund_fen,
                                      out_biz_no, notify_time, received_at, decision, raw_body)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
            ON CONFLICT(notify_id) DO NOTHING
            """)
        upsertTrade = try database.statement("""
            INSERT INTO trades(out_trade_no, trade_no, status, total_fen, paid, shipped, duplicate_payment,
                               refunded_fen, close_reason, business_order, updated_at, shipped_at, ship_notify_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            ON CONFLICT(out_trade_no) DO UPDATE SET
                trade_no = excluded.trade_no, status = excluded.status, paid = excluded.paid,
                shipped = excluded.shipped, duplicate_payment = excluded.duplicate_payment,
                refunded_fen = excluded.refunded_fen, close_reason = excluded.close_reason,
                updated_at = excluded.updated_at,
                shipped_at = coalesce(trades.shipped_at, excluded.shipped_at),
                ship_notify_id = coalesce(trades.ship_notify_id, excluded.ship_notify_id)
            """)
        insertEventRow = try database.statement("""
            INSERT INTO events(id, kind, out_trade_no, notify_id, trade_no, business_order, amount_fen,
                               refunded_total_fen, close_reason, created_at, next_attempt_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
            ON CONFLICT(id) DO NOTHING
            """)
        upsertQuarantine = try database.statement("""
            INSERT INTO quarantine(dedup_key, reason, detail, notify_id, out_trade_no, app_id, total_amount,
                                   first_seen_at, last_seen_at, raw_body)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)
            ON CONFLICT(dedup_key) DO UPDATE SET last_seen_at = excluded.last_seen_at, times_seen = times_seen + 1
            """)
    }

    func notificationExists(_ notifyID: String) throws -> Bool {
        try selectNotification.firstRow([.text(notifyID)]) { _ in true } ?? false
    }

    func order(_ outTradeNo: String) throws -> MerchantOrder? {
        try selectOrder.firstRow([.text(outTradeNo)], Self.readOrder)
    }

    static func readOrder(_ row: SQLiteStatement) -> MerchantOrder {
        MerchantOrder(outTradeNo: row.text(0), totalAmount: Fen(row.int(1)), businessOrder: row.optionalText(2), createdAt: row.text(3))
    }

    func lockTrade(_ outTradeNo: String, businessOrder: String?) throws -> TradeRecord? {
        try selectTrade.firstRow([.text(outTradeNo)]) { row in
            TradeRecord(
                outTradeNo: row.text(0), status: TradeStatus(rawValue: row.text(1)) ?? .waitBuyerPay,
                tradeNo: row.optionalText(2), totalAmount: Fen(row.int(3)), paid: row.int(4) != 0,
                shipped: row.int(5) != 0, duplicatePayment: row.int(6) != 0, refunded: Fen(row.int(7)),
                closeReason: row.optionalText(8).flatMap(CloseReason.init(rawValue:))
            )
        }
    }

    func businessOrderPayer(_ businessOrder: String) throws -> String? {
        try selectPayer.firstRow([.text(businessOrder)]) { $0.text(0) }
    }

    func claimBusinessOrder(_ businessOrder: String, outTradeNo: String, at time: String) throws {
        try insertPayer.run([.text(businessOrder), .text(outTradeNo), .text(time)])
    }

    func insertNotification(_ accepted: AcceptedNotification, decision: String) throws -> Bool {
        let n = accepted.notification
        let changed = try insertNotificationRow.run([
            .text(n.notifyID), .text(n.outTradeNo), .text(n.tradeStatus.rawValue), .optional(n.tradeNo),
            .integer(n.totalAmount.value), .optional(n.refundFee?.value), .optional(n.outBizNo),
            .optional(n.notifyTime), .text(accepted.receivedAt), .text(decision), .blob(accepted.rawBody),
        ])
        return changed == 1
    }

    func saveTrade(_ trade: TradeRecord, businessOrder: String?, shipment: ShipmentFacts?, at time: String) throws {
        try upsertTrade.run([
            .text(trade.outTradeNo), .optional(trade.tradeNo), .text(trade.status.rawValue),
            .integer(trade.totalAmount.value), .integer(trade.paid ? 1 : 0), .integer(trade.shipped ? 1 : 0),
            .integer(trade.duplicatePayment ? 1 : 0), .integer(trade.refunded.value),
            .optional(trade.closeReason?.rawValue), .optional(businessOrder), .text(time),
            .optional(shipment?.shippedAt), .optional(shipment?.notifyID),
        ])
    }

    func insertEvent(_ event: PlannedEvent, context: EventContext) throws {
        try insertEventRow.run([
            .text(event.id), .text(event.kind.rawValue), .text(context.outTradeNo), .text(context.notifyID),
            .optional(context.tradeNo), .optional(context.businessOrder), .integer(event.amount.value),
            .optional(event.refundedTotal?.value), .optional(event.closeReason?.rawValue), .text(context.createdAt),
        ])
    }

    func quarantine(_ entry: QuarantineEntry, at time: String) throws {
        try upsertQuarantine.run([
            .text(entry.deduplicationKey), .text(entry.reason.code), .text(entry.reason.description),
            .optional(entry.notifyID), .optional(entry.outTradeNo), .optional(entry.appID),
            .optional(entry.totalAmount), .text(time), .blob(entry.rawBody),
        ])
    }
}
