import Ledger
import SystemSupport

/// What becomes of a refund request after each call: a pure function from
/// the request, the call made and what it established, to the request's next
/// state, call and time. No I/O; `RefundStep` makes the calls and records.
///
/// Alipay's integration rules: a refund is retried with the same `out_request_no`
/// and the same amount; an unknown result is never taken for success or
/// failure. An unknown answer is followed by the same call again;
/// `fund_change=N` is confirmed by `alipay.trade.fastpay.refund.query`, no
/// sooner than `refund-query-pause` after the call (Alipay asks for a
/// pause), not taken as success. A refund call whose answer was never
/// recorded (the process died during it) may have reached Alipay: the
/// ledger then says to ask the refund query first. Unknown results are paced
/// by `UnknownResultPacing`, then `attention`: still retried slowly until
/// known, or at once by `alipay-notifyd refund retry`.
public struct RefundPolicy: Sendable, Equatable {
    public var attentionAfter: Duration = .seconds(60)
    /// The pause between a refund call and the query that confirms it.
    public var queryPause: Duration = .seconds(10)

    public init() {}

    /// What one call established about the request.
    public enum Finding: Sendable, Equatable {
        /// `fund_change=Y`: the money moved in this call.
        case moved
        /// `fund_change=N`: it did not move in this call (perhaps in an earlier one).
        case notMovedNow
        /// The refund query says `REFUND_SUCCESS`.
        case confirmed
        /// The refund query has no `refund_status`: not succeeded (yet).
        case notYet
        /// A verified, final refusal of the refund.
        case refused(subCode: String?, detail: String)
        /// No verified answer, or one that decides nothing.
        case unknown(String)
    }

    /// The pace of unknown results, the reconciler's.
    var pacing: UnknownResultPacing { UnknownResultPacing(attentionAfter: attentionAfter) }

    /// The request's next state after `call` established `finding` at `now`,
    /// and whether another call follows at once (a refund after a query
    /// that found none: the same request, so it cannot move money twice).
    public func decide(_ request: RefundRequest, call: RefundCall, finding: Finding, now: Double,
                       owner: String?, holdFor: Double) -> (update: RefundUpdate, followUp: RefundCall?) {
        var update = RefundUpdate(requestNo: request.requestNo, outTradeNo: request.outTradeNo, state: request.state,
                                  nextCall: request.nextCall, nextAttemptAt: request.nextAttemptAt, unknownSince: nil, lastAnswer: nil)
        let sentAt = (call == .refund ? now : request.sentAt.flatMap(Timestamp.epochSeconds))
        switch finding {
        case .moved, .confirmed:
            update.state = .succeeded
            update.nextAttemptAt = nil
            update.lastAnswer = finding == .moved ? "fund_change=Y" : "refund_status=REFUND_SUCCESS"
        case .notMovedNow:
            update.state = .pending
            update.nextCall = .query
            update.nextAttemptAt = Timestamp.of(epochSeconds: now + queryPause.inSeconds)
            update.lastAnswer = "fund_change=N: to be confirmed by the refund query"
        case .notYet:
            update.state = .pending
            update.nextCall = .refund
            update.holder = owner
            update.nextAttemptAt = Timestamp.of(epochSeconds: now + holdFor)
            update.lastAnswer = "the refund query found no successful refund: sending the same request again"
            return (update, .refund)
        case .refused(let subCode, let detail):
            update.state = .failed
            update.nextAttemptAt = nil
            update.subCode = subCode
            update.lastAnswer = detail
        case .unknown(let reason):
            let paced = pacing.afterUnknown(unknownSince: request.unknownSince, now: now)
            update.unknownSince = paced.since
            update.lastAnswer = "unknown: \(reason)"
            // The same call again: a refund with the same out_request_no moves
            // no money twice (Alipay answers fund_change=N, which the query then confirms).
            update.nextCall = call
            update.state = paced.needsAttention || request.state == .attention ? .attention : .pending
            var next = paced.next
            if update.nextCall == .query, let sentAt { next = max(next, sentAt + queryPause.inSeconds) }
            update.nextAttemptAt = Timestamp.of(epochSeconds: next)
        }
        return (update, nil)
    }
}
