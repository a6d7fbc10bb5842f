/// An order as the reconciler sees it: the order, and its schedule of
/// questions to Alipay. Kept on the order's row, so that the due-time index
/// finds what is due without looking at anything else.
public struct OrderReconciliation: Sendable, Equatable {
    public var order: MerchantOrder
    /// When it is asked about next; nil: never again (paid, closed, or
    /// expired and past the time a late payment is looked for).
    public var nextQueryAt: String?
    /// Queries made so far: the schedule grows with them.
    public var queries: Int
    /// Since when every answer has been unknown; nil after a known one.
    public var unknownSince: String?
    /// A close was decided and recorded here before it was sent: until its
    /// result is known, every attempt sends it again.
    public var closeRequestedAt: String?
    /// The daemon that holds the claim (its lease runs until `nextQueryAt`).
    public var leaseOwner: String?
    /// When Alipay last answered a close of it with a final result (closed,
    /// or no such trade): a new serial of its business order does not close
    /// it again unless something newer was recorded about its trade.
    public var closeAnsweredAt: String?

    public init(order: MerchantOrder, nextQueryAt: String?, queries: Int = 0, unknownSince: String? = nil,
                closeRequestedAt: String? = nil, leaseOwner: String? = nil, closeAnsweredAt: String? = nil) {
        self.order = order
        self.nextQueryAt = nextQueryAt
        self.queries = queries
        self.unknownSince = unknownSince
        self.closeRequestedAt = closeRequestedAt
        self.leaseOwner = leaseOwner
        self.closeAnsweredAt = closeAnsweredAt
    }
}

/// What the reconciler decided after a call: the order's next state and
/// schedule, written in the transaction that records the call. It is not
/// applied to an order that became paid or closed meanwhile, nor, with an
/// owner, to one whose claim another daemon holds now.
public struct OrderScheduleUpdate: Sendable, Equatable {
    public var outTradeNo: String
    public var state: OrderState
    public var nextQueryAt: String?
    public var queries: Int
    public var unknownSince: String?
    public var closeRequestedAt: String?
    /// Who holds the claim afterwards: the owner while it goes on working
    /// on the order (a close after a query), nil to let it go.
    public var holder: String?
    /// Set when this call was a close that Alipay answered with a final
    /// result; nil leaves what was recorded before.
    public var closeAnsweredAt: String?

    public init(outTradeNo: String, state: OrderState, nextQueryAt: String?, queries: Int, unknownSince: String?,
                closeRequestedAt: String?, holder: String? = nil, closeAnsweredAt: String? = nil) {
        self.outTradeNo = outTradeNo
        self.state = state
        self.nextQueryAt = nextQueryAt
        self.queries = queries
        self.unknownSince = unknownSince
        self.closeRequestedAt = closeRequestedAt
        self.holder = holder
        self.closeAnsweredAt = closeAnsweredAt
    }
}

/// How many orders are in each state, and the oldest open one: what the
/// metrics and the payment success rate are made of.
public struct OrderCounts: Sendable, Equatable {
    public var byState: [OrderState: Int]
    public var oldestOpenCreatedAt: String?

    public init(byState: [OrderState: Int], oldestOpenCreatedAt: String?) {
        self.byState = byState
        self.oldestOpenCreatedAt = oldestOpenCreatedAt
    }

    public func count(_ state: OrderState) -> Int { byState[state] ?? 0 }

    /// paid / (paid + closed + expired): of the orders whose outcome is
    /// known, the share a buyer paid (Alipay asks merchants to watch it);
    /// nil while none has an outcome.
    public var paymentSuccessRate: Double? {
        let ended = count(.paid) + count(.closed) + count(.expired)
        return ended == 0 ? nil : Double(count(.paid)) / Double(ended)
    }
}
