import Ledger
import SystemSupport

/// When the daemon asks Alipay about an order, and what it makes of each
/// answer: a pure function from the order's schedule, the call made and
/// what it established, to the order's next state and schedule (and
/// whether a close or another query follows at once). No I/O, so every
/// rule is a unit test; `ReconciliationStep` makes the calls and records.
///
/// - First query `reconcile-after` after the order was registered (at its
///   expiry if that comes first), then after `reconcile-after` × 1, 2, 4, …
///   at most 30 minutes apart, never past the expiry.
/// - At the expiry, an order Alipay shows waiting for the buyer is closed
///   (`alipay.trade.close`, decided and recorded before it is sent); one
///   Alipay never heard of is `expired`, and is still looked for on the same
///   growing schedule until `lookingAfterExpiry` has passed: a buyer who
///   opened the cashier before the expiry may finish paying after it.
/// - Unknown answers are paced by `UnknownResultPacing`, then `attention`.
/// - A close that Alipay answered with a final result (closed, or no such
///   trade) is recorded as answered (`closeAnsweredAt`).
public struct ReconciliationPolicy: Sendable, Equatable {
    /// How long after an order's registration it is first asked about.
    public var reconcileAfter: Duration = .seconds(300)
    /// How long results may stay unknown before a person is asked to look.
    public var attentionAfter: Duration = .seconds(60)
    /// An order's expiry when it is registered without one.
    public var orderTimeout: Duration = .seconds(1800)

    /// The longest pause between two queries of one order.
    public static let longestInterval = 1800.0
    /// How long an expired order is still looked for.
    public static let lookingAfterExpiry = 7200.0

    public init() {}

    /// What one call established about the order.
    public enum Finding: Sendable, Equatable {
        /// A payment is recorded (now, or before).
        case paid
        /// Alipay shows the trade closed; `paid` when it had been paid (a full refund).
        case closed(paid: Bool)
        /// `WAIT_BUYER_PAY`: the buyer started paying and has not finished.
        case waiting
        /// `ACQ.TRADE_NOT_EXIST`.
        case noSuchTrade
        /// The close was refused because the trade is paid or closed
        /// (`ACQ.TRADE_STATUS_ERROR`): ask what it is.
        case notClosable
        /// A verified answer the order's checks refused (another amount): a person must look.
        case rejected(String)
        /// No verified answer, or one that decides nothing.
        case unknown(String)
    }

    /// What follows the call at once, before the claim is let go.
    public enum FollowUp: Sendable, Equatable {
        case close
        case query
    }

    /// The first query's time for an order registered at `createdAt`.
    public func firstQuery(createdAt: Double, expiresAt: Double?) -> Double {
        min(createdAt + reconcileAfter.inSeconds, expiresAt ?? .infinity)
    }

    /// The pause after the `queries`-th query of an order.
    public func interval(afterQueries queries: Int) -> Double {
        let doubled = reconcileAfter.inSeconds * Double(1 << min(20, max(0, queries - 1)))
        return min(Self.longestInterval, doubled)
    }

    /// The pace of unknown results, shared with the refunder.
    var pacing: UnknownResultPacing { UnknownResultPacing(attentionAfter: attentionAfter) }

    /// The order's next schedule after `method` established `finding` at
    /// `now`, and what follows at once. `holdFor`: how long a follow-up may
    /// take (the claim is kept, by `owner`, until then).
    public func decide(_ order: OrderReconciliation, method: CallKind, finding: Finding, now: Double,
                       owner: String?, holdFor: Double) -> (update: OrderScheduleUpdate, followUp: FollowUp?) {
        let queries = order.queries + (method == .query ? 1 : 0)
        var update = OrderScheduleUpdate(outTradeNo: order.order.outTradeNo, state: order.order.state, nextQueryAt: order.nextQueryAt,
                                         queries: queries, unknownSince: nil, closeRequestedAt: order.closeRequestedAt)
        let expiresAt = order.order.expiresAt.flatMap(Timestamp.epochSeconds)
        let isPastExpiry = expiresAt.map { now >= $0 } ?? false

        func keepAsking(_ state: OrderState) {
            update.state = state
            let next = now + interval(afterQueries: max(1, queries))
            if state == .expired {
                let stopLooking = (expiresAt ?? now) + Self.lookingAfterExpiry
                update.nextQueryAt = next <= stopLooking ? Timestamp.of(epochSeconds: next) : nil
            } else {
                update.nextQueryAt = Timestamp.of(epochSeconds: min(next, expiresAt ?? .infinity))
            }
        }
        func hold() {
            update.holder = owner
            update.nextQueryAt = Timestamp.of(epochSeconds: now + holdFor)
        }

        switch finding {
        case .paid, .closed(paid: true):
            update.state = .paid
            update.nextQueryAt = nil
            update.closeRequestedAt = nil
        case .closed(paid: false):
            update.state = .closed
            update.nextQueryAt = nil
            update.closeRequestedAt = nil
            if method == .close { update.closeAnsweredAt = Timestamp.of(epochSeconds: now) }
        case .waiting:
            guard isPastExpiry else {
                keepAsking(.open)
                return (update, nil)
            }
            update.state = order.order.state == .attention ? .open : order.order.state
            update.closeRequestedAt = order.closeRequestedAt ?? Timestamp.of(epochSeconds: now)
            hold()
            return (update, .close)
        case .noSuchTrade:
            update.closeRequestedAt = nil
            // A close answered "no such trade" is final until something new is known of the trade.
            if method == .close { update.closeAnsweredAt = Timestamp.of(epochSeconds: now) }
            keepAsking(isPastExpiry ? .expired : .open)
        case .notClosable:
            update.closeRequestedAt = nil
            hold()
            return (update, .query)
        case .rejected:
            update.state = .attention
            update.nextQueryAt = Timestamp.of(epochSeconds: now + pacing.attentionInterval)
        case .unknown:
            let paced = pacing.afterUnknown(unknownSince: order.unknownSince, now: now)
            update.unknownSince = paced.since
            if paced.needsAttention { update.state = .attention }
            update.nextQueryAt = Timestamp.of(epochSeconds: paced.next)
        }
        return (update, nil)
    }

    /// The two calls the reconciler makes.
    public enum CallKind: Sendable, Equatable {
        case query
        case close
    }
}
