import AlipayNotify

/// The reads and writes one observation needs, inside a transaction on a
/// connection of either store, through the statements written once in
/// `LedgerReads` and `LedgerWrites`.
///
/// Where several processes write at once (PostgreSQL) `lockTrade`
/// serializes work on one trade and its business order, and
/// `insertObservation` relies on the unique observation id.
struct LedgerTransaction<Connection: SQLConnection> {
    let connection: Connection

    /// Whether the trade's history holds this observation id (the key of `notifications_by_trade`).
    func observationExists(_ id: String, of outTradeNo: String) throws -> Bool {
        try connection.firstRow(LedgerReads.observationExists, [.text(outTradeNo), .text(id)]) { _ in true } ?? false
    }

    func order(_ outTradeNo: String) throws -> MerchantOrder? {
        try connection.firstRow(LedgerReads.order, [.text(outTradeNo)], LedgerRows.order)
    }

    /// The trade's record; the trade (and `businessOrder`, when given) stay
    /// locked for the rest of the transaction.
    func lockTrade(_ outTradeNo: String, businessOrder: String?) throws -> TradeRecord? {
        if let lock = LedgerReads.lockTrade(connection.dialect) {
            _ = try connection.rows(lock, [.text(LedgerReads.lockKey(outTradeNo: outTradeNo, businessOrder: businessOrder))]) { _ in () }
        }
        return try connection.firstRow(LedgerReads.trade, [.text(outTradeNo)], LedgerRows.trade)
    }

    /// The business order and the serial that paid it first, if one did.
    func businessOrderPayment(_ businessOrder: String) throws -> BusinessOrderPayment {
        let payer = try connection.firstRow(LedgerReads.businessOrderPayer, [.text(businessOrder)]) { $0.text(0) }
        return BusinessOrderPayment(id: businessOrder, paidBy: payer)
    }

    func claimBusinessOrder(_ businessOrder: String, outTradeNo: String, at time: String) throws {
        try connection.run(LedgerWrites.insertPayer, [.text(businessOrder), .text(outTradeNo), .text(time)])
    }

    /// Inserts the history row; false, with nothing written, when the
    /// observation's id is already recorded.
    func insertObservation(_ accepted: AcceptedObservation, decision: String) throws -> Bool {
        try connection.run(LedgerWrites.insertObservation, LedgerWrites.observationValues(accepted, decision: decision)) == 1
    }

    func saveTrade(_ trade: TradeRecord, businessOrder: String?, shippedBy: ObservationSource?, at time: String) throws {
        try connection.run(LedgerWrites.upsertTrade, LedgerWrites.tradeValues(trade, businessOrder: businessOrder, shippedBy: shippedBy, at: time))
    }

    func insertEvent(_ event: PlannedEvent, source: ObservationSource, tradeNo: String?, businessOrder: String?, at time: String) throws {
        try connection.run(LedgerWrites.insertEvent,
                           LedgerWrites.eventValues(event, source: source, tradeNo: tradeNo, businessOrder: businessOrder, at: time))
    }

    func quarantine(_ entry: QuarantineEntry, at time: String) throws {
        try connection.run(LedgerWrites.upsertQuarantine, LedgerWrites.quarantineValues(entry, at: time))
    }

    func settleOrder(_ outTradeNo: String, as state: OrderState) throws {
        try connection.run(LedgerWrites.settleOrder, [.text(outTradeNo), .text(state.rawValue)])
    }

    /// A refund request, due now; the same request again is a no-op.
    func requestRefund(_ request: RefundRequest) throws {
        try connection.run(RefundStatements.insert, RefundStatements.insertValues(request))
    }
}
