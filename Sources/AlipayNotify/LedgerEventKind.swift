/// The kinds of event handed to fulfillment through the outbox.
public enum LedgerEventKind: String, Sendable, Hashable, CaseIterable {
    /// The order is paid: deliver the goods. At most one per trade.
    case ship
    /// The cumulative refunded total grew (a partial refund).
    case refund
    /// The trade closed: unpaid, or after a full refund.
    case close
    /// A second serial of an already paid business order was paid: refund it.
    case duplicatePayment = "duplicate_payment"
}

/// An event the state machine decided to write, with an id that is the same
/// whichever daemon, retry or replay produces it, so that it doubles as the
/// idempotency key for the merchant's system and as a unique key in the ledger.
public struct PlannedEvent: Sendable, Equatable {
    public var kind: LedgerEventKind
    public var id: String
    public var outTradeNo: String
    /// ship and duplicate_payment: the trade's total; refund: this refund
    /// (the growth of the cumulative total); close: the refunded total.
    public var amount: Fen
    /// The cumulative refunded total after this event (refund and close).
    public var refundedTotal: Fen?
    public var closeReason: CloseReason?

    public init(kind: LedgerEventKind, outTradeNo: String, amount: Fen, refundedTotal: Fen? = nil, closeReason: CloseReason? = nil) {
        self.kind = kind
        self.outTradeNo = outTradeNo
        self.amount = amount
        self.refundedTotal = refundedTotal
        self.closeReason = closeReason
        switch kind {
        case .refund:
            self.id = "\(outTradeNo)/refund/\(refundedTotal?.value ?? amount.value)"
        default:
            self.id = "\(outTradeNo)/\(kind.rawValue)"
        }
    }
}
