import AlipayNotify

/// Applies one submission inside a store's transaction: the business
/// checks, the state machine, and the rows its decision names. The same
/// code serves every store and every source of observations.
///
/// A decision that pays or closes an unpaid trade settles its order (one
/// more statement, once per trade): it is never asked about again. A
/// duplicate payment gets its full refund request in the same transaction
/// when `refund-duplicate-payments` is on.
///
/// The common path costs five statements: the order, the trade, the history
/// row (whose unique id is the duplicate check), the trade again, and the
/// events. Nothing is written before the history row is known to be new, so
/// a duplicate needs no rollback.
enum ObservationRecorder {
    static func apply<Connection>(_ submission: LedgerSubmission, in transaction: LedgerTransaction<Connection>) throws -> LedgerOutcome {
        let now = Timestamp.now()
        switch submission {
        case .quarantine(let entry):
            try transaction.quarantine(entry, at: now)
            return .rejected(entry.reason)

        case .observation(let accepted):
            let observation = accepted.observation
            let order = try transaction.order(observation.outTradeNo)
            if let rejection = accepted.rules.check(observation, against: order) {
                // Recorded before (when the checks passed)? Then it stays a success.
                if try transaction.observationExists(observation.source.id, of: observation.outTradeNo) { return .duplicate }
                try transaction.quarantine(QuarantineEntry(reason: rejection, accepted: accepted), at: now)
                return .rejected(rejection)
            }

            let businessOrder = order?.businessOrder
            let trade = try transaction.lockTrade(observation.outTradeNo, businessOrder: businessOrder)
            let payment = try businessOrder.map(transaction.businessOrderPayment)
            let decision = TradeStateMachine.apply(observation, to: trade, businessOrder: payment)
            guard try transaction.insertObservation(accepted, decision: decision.summary) else {
                return .duplicate
            }
            if let claimed = decision.claimsBusinessOrder {
                try transaction.claimBusinessOrder(claimed, outTradeNo: observation.outTradeNo, at: now)
            }
            if decision.change == .updated {
                try transaction.saveTrade(decision.trade, businessOrder: businessOrder,
                                          shippedBy: decision.shipsNow ? observation.source : nil, at: now)
            }
            for event in decision.events {
                try transaction.insertEvent(event, source: observation.source, tradeNo: decision.trade.tradeNo,
                                            businessOrder: businessOrder, at: now)
            }
            if order != nil, let settled = settledState(decision) {
                try transaction.settleOrder(observation.outTradeNo, as: settled)
            }
            if accepted.rules.refundsDuplicatePayments, let payment, decision.events.contains(where: { $0.kind == .duplicatePayment }) {
                try transaction.requestRefund(duplicatePaymentRefund(observation, decision: decision, payment: payment, at: now))
            }
            return .recorded(decision)
        }
    }

    /// The state a decision puts the trade's order in, when it ends its reconciliation.
    static func settledState(_ decision: TradeDecision) -> OrderState? {
        for event in decision.events {
            switch event.kind {
            case .ship, .duplicatePayment: return .paid
            case .close where event.closeReason == .unpaid: return .closed
            default: continue
            }
        }
        return nil
    }

    /// The full refund of a duplicate payment, due now.
    static func duplicatePaymentRefund(_ observation: TradeObservation, decision: TradeDecision, payment: BusinessOrderPayment,
                                       at now: String) -> RefundRequest {
        RefundRequest(outTradeNo: observation.outTradeNo, requestNo: RefundRequest.duplicatePaymentRequestNo(observation.outTradeNo),
                      amount: decision.trade.totalAmount,
                      reason: "duplicate payment: business order \(payment.id) was paid by serial \(payment.paidBy ?? "-")",
                      origin: .duplicatePayment, nextAttemptAt: now, createdAt: now)
    }
}
