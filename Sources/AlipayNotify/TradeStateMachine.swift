/// The trade state machine of DESIGN.md as a pure function: the current
/// record and one accepted notification in, the next record and the events
/// to write out. No I/O, so every rule is a unit test.
///
/// Rules (per `out_trade_no`):
/// - The first accepted `TRADE_SUCCESS` or `TRADE_FINISHED` ships; nothing
///   later ships again. If another serial of the same business order already
///   paid, it is a `duplicate_payment` instead (seed 000).
/// - `refund_fee` is the cumulative refunded total: a `refund` event each time
///   it grows.
/// - `TRADE_CLOSED` closes the trade once: `refunded` when it had been paid (or
///   the notification shows a payment or a refund), `unpaid` otherwise. The
///   final full refund is part of the `close` event, not a `refund` event.
/// - A closed trade is final: later notifications are recorded and change nothing.
public enum TradeStateMachine {
    public static func apply(
        _ notification: Notification,
        to current: TradeRecord?,
        businessOrderPaidBy payingSerial: String? = nil
    ) -> TradeDecision {
        let outTradeNo = notification.outTradeNo
        var trade = current ?? TradeRecord(
            outTradeNo: outTradeNo, status: notification.tradeStatus,
            tradeNo: notification.tradeNo, totalAmount: notification.totalAmount
        )
        if trade.tradeNo == nil { trade.tradeNo = notification.tradeNo }
        var events: [PlannedEvent] = []

        if trade.closeReason != nil {
            return TradeDecision(trade: trade, events: [], change: .unchangedAfterClose)
        }

        switch notification.tradeStatus {
        case .waitBuyerPay:
            break

        case .tradeSuccess, .tradeFinished:
            if notification.tradeStatus == .tradeFinished || trade.status != .tradeFinished {
                trade.status = notification.tradeStatus
            }
            if !trade.paid {
                trade.paid = true
                if let payingSerial, payingSerial != outTradeNo {
                    trade.duplicatePayment = true
                    events.append(PlannedEvent(kind: .duplicatePayment, outTradeNo: outTradeNo, amount: trade.totalAmount))
                } else {
                    trade.shipped = true
                    events.append(PlannedEvent(kind: .ship, outTradeNo: outTradeNo, amount: trade.totalAmount))
                }
            }
            if let refundFee = notification.refundFee, refundFee > trade.refunded {
                events.append(PlannedEvent(
                    kind: .refund, outTradeNo: outTradeNo,
                    amount: refundFee - trade.refunded, refundedTotal: refundFee
                ))
                trade.refunded = refundFee
            }

        case .tradeClosed:
            let showsPayment = trade.paid || notification.gmtPayment != nil
                || (notification.refundFee.map { $0 > .zero } ?? false)
            let reason: CloseReason = showsPayment ? .refunded : .unpaid
            if reason == .refunded {
                trade.refunded = max(trade.refunded, notification.refundFee ?? trade.totalAmount)
            }
            trade.status = .tradeClosed
            trade.closeReason = reason
            events.append(PlannedEvent(
                kind: .close, outTradeNo: outTradeNo, amount: trade.refunded,
                refundedTotal: trade.refunded, closeReason: reason
            ))
        }

        let change: TradeDecision.Change = events.isEmpty && trade == current ? .unchanged : .updated
        return TradeDecision(trade: trade, events: events, change: change)
    }
}

/// What `TradeStateMachine.apply` decided: the record to store and the
/// events to write in the same transaction.
public struct TradeDecision: Sendable, Equatable {
    public enum Change: String, Sendable {
        /// The record changed or events were produced.
        case updated
        /// Nothing changed (a status already known, a refund total already recorded).
        case unchanged
        /// The trade was already closed; the notification is recorded only.
        case unchangedAfterClose
    }

    public var trade: TradeRecord
    public var events: [PlannedEvent]
    public var change: Change

    /// The label a log line and a metric use: the first event's kind, or
    /// `recorded` when there is none.
    public var summary: String {
        events.isEmpty ? "recorded" : events.map(\.kind.rawValue).joined(separator: "+")
    }
}
