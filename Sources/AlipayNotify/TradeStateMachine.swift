/// The trade state machine as a pure function: the current record and one
/// accepted observation in, a complete decision out (the next record, the
/// events, whether the business order is claimed, whether anything changed).
/// No I/O, so every rule is a unit test; the ledger writes what the
/// decision says and nothing else.
///
/// Rules (per `out_trade_no`):
/// - The first accepted `TRADE_SUCCESS` or `TRADE_FINISHED` ships; nothing
///   later ships again. If another serial of the same business order already
///   paid, it is a `duplicate_payment` instead: one business order is paid
///   for once, and a second payment is money to give back.
/// - `refund_fee` is the cumulative refunded total: a `refund` event each time
///   it grows.
/// - `TRADE_CLOSED` closes the trade once: `refunded` when it had been paid (or
///   the observation shows a payment or a refund), `unpaid` otherwise. The
///   final full refund is part of the `close` event, not a `refund` event.
/// - A closed trade is final: later observations are recorded and change nothing.
public enum TradeStateMachine {
    public static func apply(
        _ observation: TradeObservation,
        to current: TradeRecord?,
        businessOrder: BusinessOrderPayment? = nil
    ) -> TradeDecision {
        let outTradeNo = observation.outTradeNo
        var trade = current ?? TradeRecord(
            outTradeNo: outTradeNo, status: observation.tradeStatus,
            tradeNo: observation.tradeNo, totalAmount: observation.totalAmount
        )
        if trade.tradeNo == nil { trade.tradeNo = observation.tradeNo }

        if trade.closeReason != nil {
            return TradeDecision(trade: trade, events: [], claimsBusinessOrder: nil,
                                 change: trade == current ? .unchangedAfterClose : .updated)
        }

        var events: [PlannedEvent] = []
        var claimsBusinessOrder: String?
        switch observation.tradeStatus {
        case .waitBuyerPay:
            break

        case .tradeSuccess, .tradeFinished:
            if observation.tradeStatus == .tradeFinished || trade.status != .tradeFinished {
                trade.status = observation.tradeStatus
            }
            if !trade.paid {
                trade.paid = true
                if let businessOrder, let payer = businessOrder.paidBy, payer != outTradeNo {
                    trade.duplicatePayment = true
                    events.append(PlannedEvent(kind: .duplicatePayment, outTradeNo: outTradeNo, amount: trade.totalAmount))
                } else {
                    trade.shipped = true
                    events.append(PlannedEvent(kind: .ship, outTradeNo: outTradeNo, amount: trade.totalAmount))
                    if let businessOrder, businessOrder.paidBy == nil { claimsBusinessOrder = businessOrder.id }
                }
            }
            if let refundFee = observation.refundFee, refundFee > trade.refunded {
                events.append(PlannedEvent(
                    kind: .refund, outTradeNo: outTradeNo,
                    amount: refundFee - trade.refunded, refundedTotal: refundFee
                ))
                trade.refunded = refundFee
            }

        case .tradeClosed:
            let showsPayment = trade.paid || observation.gmtPayment != nil
                || (observation.refundFee.map { $0 > .zero } ?? false)
            let reason: CloseReason = showsPayment ? .refunded : .unpaid
            if reason == .refunded {
                trade.refunded = max(trade.refunded, observation.refundFee ?? trade.totalAmount)
            }
            trade.status = .tradeClosed
            trade.closeReason = reason
            events.append(PlannedEvent(
                kind: .close, outTradeNo: outTradeNo, amount: trade.refunded,
                refundedTotal: trade.refunded, closeReason: reason
            ))
        }

        let change: TradeDecision.Change = events.isEmpty && trade == current ? .unchanged : .updated
        return TradeDecision(trade: trade, events: events, claimsBusinessOrder: claimsBusinessOrder, change: change)
    }
}

/// The business order a payment serial belongs to, and the serial that
/// paid it first, if one did: what decides between `ship` and
/// `duplicate_payment`.
public struct BusinessOrderPayment: Sendable, Equatable {
    public var id: String
    public var paidBy: String?

    public init(id: String, paidBy: String?) {
        self.id = id
        self.paidBy = paidBy
    }
}
