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
        insertPayer = try database.statement(SQLDialect.sqlite.render(LedgerWrites.insertPayer))
        insertNotificationRow = try database.statement(SQLDialect.sqlite.render(LedgerWrites.insertNotification))
        upsertTrade = try database.statement(SQLDialect.sqlite.render(LedgerWrites.upsertTrade))
        insertEventRow = try database.statement(SQLDialect.sqlite.render(LedgerWrites.insertEvent))
        upsertQuarantine = try database.statement(SQLDialect.sqlite.render(LedgerWrites.upsertQuarantine))
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
        try insertPayer.run(LedgerWrites.payerValues(businessOrder, outTradeNo: outTradeNo, at: time))
    }

    func insertNotification(_ accepted: AcceptedNotification, decision: String) throws -> Bool {
        try insertNotificationRow.run(LedgerWrites.notificationValues(accepted, decision: decision)) == 1
    }

    func saveTrade(_ trade: TradeRecord, businessOrder: String?, shipment: ShipmentFacts?, at time: String) throws {
        try upsertTrade.run(LedgerWrites.tradeValues(trade, businessOrder: businessOrder, shipment: shipment, at: time))
    }

    func insertEvent(_ event: PlannedEvent, context: EventContext) throws {
        try insertEventRow.run(LedgerWrites.eventValues(event, context: context))
    }

    func quarantine(_ entry: QuarantineEntry, at time: String) throws {
        try upsertQuarantine.run(LedgerWrites.quarantineValues(entry, at: time))
    }
}
