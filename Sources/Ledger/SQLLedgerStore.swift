import AlipayNotify

/// A ledger on an SQL database. A store says only how to get a connection
/// and a transaction; the orders, the recording and the reads are written
/// once, in this protocol's extensions, for SQLite and PostgreSQL alike.
public protocol SQLLedgerStore: LedgerStore {
    associatedtype Connection: SQLConnection

    /// Runs `body` in one write transaction: committed when it returns,
    /// rolled back when it throws (the first error is rethrown).
    func inTransaction<T>(_ body: (Connection) throws -> T) throws -> T

    /// Runs `body` for reads that need no write lock.
    func reading<T>(_ body: (Connection) throws -> T) throws -> T
}

extension SQLLedgerStore {
    /// Applies a batch in one transaction on `connection`, one submission
    /// after the other (SQLite, where a statement costs microseconds).
    package func recordInTransaction(_ batch: [LedgerSubmission], on connection: Connection) throws -> [LedgerOutcome] {
        let transaction = LedgerTransaction(connection: connection)
        return try batch.map { try ObservationRecorder.apply($0, in: transaction) }
    }

    public func probeWrite(instance: String) throws {
        _ = try inTransaction { try $0.run(LedgerWrites.upsertProbe, [.text(instance), .text(Timestamp.now())]) }
    }

    @discardableResult
    public func addOrder(_ order: MerchantOrder, firstQueryAt: String?) throws -> Bool {
        try MerchantOrder.validate(outTradeNo: order.outTradeNo, totalAmount: order.totalAmount, businessOrder: order.businessOrder)
        return try inTransaction { connection in
            if try connection.run(LedgerWrites.insertOrder, LedgerWrites.orderValues(order, firstQueryAt: firstQueryAt)) == 1 { return true }
            let existing = try LedgerTransaction(connection: connection).order(order.outTradeNo)!
            guard existing.totalAmount == order.totalAmount, existing.businessOrder == order.businessOrder else {
                throw OrderError.conflict(existing: existing)
            }
            return false
        }
    }

    /// Records a gateway call and, when its verified answer stated the
    /// trade's status, that observation (whose id is the call's), in one
    /// transaction. The outcome is the observation's; nil without one.
    @discardableResult
    public func recordGatewayCall(_ call: GatewayCall, observation: AcceptedObservation?, owner: String?,
                                  schedule: (LedgerOutcome?) -> ScheduleUpdate?) throws -> LedgerOutcome? {
        try inTransaction { connection in
            try connection.run(LedgerWrites.insertGatewayCall, LedgerWrites.gatewayCallValues(call))
            let outcome = try observation.map { try ObservationRecorder.apply(.observation($0), in: LedgerTransaction(connection: connection)) }
            switch schedule(outcome) {
            case .order(let update)?:
                try connection.run(ReconciliationStatements.reschedule, ReconciliationStatements.rescheduleValues(update, owner: owner))
            case .refund(let update)?:
                try connection.run(RefundStatements.update, RefundStatements.updateValues(update, owner: owner))
            case nil:
                break
            }
            return outcome
        }
    }

    public func order(_ outTradeNo: String) throws -> MerchantOrder? {
        try reading { try LedgerTransaction(connection: $0).order(outTradeNo) }
    }

    public func orders(state: OrderState?, limit: Int) throws -> [MerchantOrder] {
        try reading { connection in
            guard let state else { return try connection.rows(LedgerReads.ordersNewestFirst, [.integer(Int64(limit))], LedgerRows.order) }
            return try connection.rows(LedgerReads.ordersInStateNewestFirst, [.text(state.rawValue), .integer(Int64(limit))], LedgerRows.order)
        }
    }

    public func tradeDetails(_ outTradeNo: String) throws -> TradeDetails? {
        try reading { connection in
            let key: [SQLValue] = [.text(outTradeNo)]
            let reconciliation = try connection.firstRow(ReconciliationStatements.reconciliation, key, LedgerRows.reconciliation)
            let trade = try connection.firstRow(LedgerReads.trade, key, LedgerRows.trade)
            let shippedAt = try connection.firstRow(LedgerReads.shippedAt, key) { $0.optionalText(0) } ?? nil
            let history = try connection.rows(LedgerReads.tradeHistory, key, LedgerRows.historyEntry)
            let eventsByTrade = LedgerReads.tradeEvents(connection.dialect, outTradeNo)
            let events = try connection.rows(eventsByTrade.statement, eventsByTrade.values, LedgerRows.event)
            let quarantined = try connection.rows(LedgerReads.tradeQuarantine, key, LedgerRows.quarantined)
            let calls = try connection.rows(LedgerReads.tradeGatewayCalls, key, LedgerRows.gatewayCall)
            let refunds = try connection.rows(RefundStatements.ofTrade, key, RefundStatements.request)
            if reconciliation == nil && trade == nil && history.isEmpty && quarantined.isEmpty && calls.isEmpty { return nil }
            return TradeDetails(outTradeNo: outTradeNo, reconciliation: reconciliation, trade: trade, shippedAt: shippedAt,
                                notifications: history, events: events, quarantined: quarantined, gatewayCalls: calls,
                                refunds: refunds)
        }
    }
}
