import AlipayNotify

/// The reconciler's schedule, written once for both stores. An order's
/// next query time is its due time and, while a daemon holds it, the end
/// of that daemon's lease: claiming an order moves its next query time to
/// the lease's end, so the due-time index is all a claim reads, and a
/// daemon that dies lets the order fall due again by itself.
extension SQLLedgerStore {
    public func claimDueOrders(owner: String, limit: Int, leaseSeconds: Double) throws -> [OrderReconciliation] {
        try claimDue(lock: ReconciliationStatements.claimLock, due: ReconciliationStatements.due, claim: ReconciliationStatements.claim,
                     owner: owner, limit: limit, leaseSeconds: leaseSeconds, key: { [.text($0.text(0))] }, decode: LedgerRows.reconciliation)
    }

    @discardableResult
    public func releaseOrderClaims(ownerPrefix prefix: String) throws -> Int {
        try inTransaction { try $0.run(ReconciliationStatements.release, [.text(prefix), .text(Timestamp.now())]) }
    }

    public func reconciliation(_ outTradeNo: String) throws -> OrderReconciliation? {
        try reading { try $0.firstRow(ReconciliationStatements.reconciliation, [.text(outTradeNo)], LedgerRows.reconciliation) }
    }

    public func requestClose(_ outTradeNo: String, owner: String?, retryAt: String) throws -> Bool {
        try inTransaction { connection in
            try connection.run(ReconciliationStatements.requestClose, [.text(outTradeNo), .text(Timestamp.now()), .text(retryAt), .optional(owner)]) == 1
        }
    }

    public func serials(ofBusinessOrder businessOrder: String) throws -> (paidBy: String?, serials: [BusinessOrderSerial]) {
        try reading { connection in
            let paidBy = try connection.firstRow(LedgerReads.businessOrderPayer, [.text(businessOrder)]) { $0.text(0) }
            let serials = try connection.rows(ReconciliationStatements.serials, [.text(businessOrder)], LedgerRows.businessOrderSerial)
            return (paidBy, serials)
        }
    }

    public func orderCounts() throws -> OrderCounts {
        try reading { connection in
            var byState: [OrderState: Int] = [:]
            for (state, count) in try connection.rows(ReconciliationStatements.countsByState, [], { ($0.text(0), Int($0.int(1))) }) {
                if let state = OrderState(rawValue: state) { byState[state] = count }
            }
            let oldest = try connection.firstRow(ReconciliationStatements.oldestOpen, []) { $0.text(0) }
            return OrderCounts(byState: byState, oldestOpenCreatedAt: oldest)
        }
    }
}
