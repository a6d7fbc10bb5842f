/// What `TradeStateMachine.apply` decided, complete: the ledger writes the
/// record when it changed, the events, and the business order's claim, and
/// derives nothing of its own.
public struct TradeDecision: Sendable, Equatable {
    public enum Change: String, Sendable {
        /// The record changed or events were produced: write it.
        case updated
        /// Nothing changed (a status already known, a refund total already recorded).
        case unchanged
        /// The trade was already closed; the observation is recorded only.
        case unchangedAfterClose
    }

    /// The record to store.
    public var trade: TradeRecord
    /// The events to write in the same transaction.
    public var events: [PlannedEvent]
    /// The business order this serial paid first: recorded so that a later
    /// payment of another serial is a duplicate. Nil when nothing is claimed.
    public var claimsBusinessOrder: String?
    public var change: Change

    public init(trade: TradeRecord, events: [PlannedEvent], claimsBusinessOrder: String? = nil, change: Change) {
        self.trade = trade
        self.events = events
        self.claimsBusinessOrder = claimsBusinessOrder
        self.change = change
    }

    /// True when this observation shipped the trade.
    public var shipsNow: Bool {
        events.contains { $0.kind == .ship }
    }

    /// The label a log line and a metric use: the events' kinds, or
    /// `recorded` when there is none.
    public var summary: String {
        events.isEmpty ? "recorded" : events.map(\.kind.rawValue).joined(separator: "+")
    }
}
