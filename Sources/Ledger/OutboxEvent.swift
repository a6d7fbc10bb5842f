import AlipayNotify

/// One event of the transactional outbox, as the dispatcher, the CLI and
/// the admin listener see it.
public struct OutboxEvent: Sendable, Equatable {
    /// Stable id such as `ORDER1/ship`: the idempotency key for the receiver.
    public let id: String
    /// Creation order; within a trade, events are delivered in this order.
    public let seq: Int64
    public let kind: LedgerEventKind
    public let outTradeNo: String
    /// What caused it: `notification`, or `gateway` for a verified gateway answer.
    public let source: String
    /// The notification that caused it; nil when a gateway answer did.
    public let notifyID: String?
    public let tradeNo: String?
    public let businessOrder: String?
    public let amount: Fen
    public let refundedTotal: Fen?
    public let closeReason: CloseReason?
    public let createdAt: String
    public let state: OutboxEventState
    /// Delivery attempts made so far.
    public let attempts: Int
    public let nextAttemptAt: String?
    public let lastError: String?
    public let deliveredAt: String?
    public let leaseOwner: String?
    public let leaseUntil: String?

    /// The document handed to the merchant's system (HTTP body, exec stdin).
    /// Amounts as yuan text and as integer fen, never floating point.
    public func jsonDocument(attempt: Int) -> String {
        func optional(_ text: String?) -> String { text.map(JSONText.string) ?? "null" }
        return "{\"id\":\(JSONText.string(id)),\"kind\":\"\(kind.rawValue)\",\"out_trade_no\":\(JSONText.string(outTradeNo)),"
            + "\"trade_no\":\(optional(tradeNo)),\"business_order\":\(optional(businessOrder)),"
            + "\"amount\":\"\(amount)\",\"amount_fen\":\(amount.value),"
            + "\"refunded_total\":\(optional(refundedTotal?.description)),\"refunded_total_fen\":\(refundedTotal.map { "\($0.value)" } ?? "null"),"
            + "\"close_reason\":\(optional(closeReason?.rawValue)),\"source\":\(JSONText.string(source)),\"notify_id\":\(optional(notifyID)),"
            + "\"created_at\":\"\(createdAt)\",\"attempt\":\(attempt)}"
    }

    /// The same facts as environment variables for an `exec` sink.
    public func environment(attempt: Int) -> [String: String] {
        var variables = [
            "ALIPAY_EVENT_ID": id, "ALIPAY_EVENT_KIND": kind.rawValue, "ALIPAY_OUT_TRADE_NO": outTradeNo,
            "ALIPAY_SOURCE": source, "ALIPAY_AMOUNT": amount.description, "ALIPAY_AMOUNT_FEN": "\(amount.value)",
            "ALIPAY_EVENT_CREATED_AT": createdAt, "ALIPAY_EVENT_ATTEMPT": "\(attempt)",
        ]
        if let notifyID { variables["ALIPAY_NOTIFY_ID"] = notifyID }
        if let tradeNo { variables["ALIPAY_TRADE_NO"] = tradeNo }
        if let businessOrder { variables["ALIPAY_BUSINESS_ORDER"] = businessOrder }
        if let refundedTotal {
            variables["ALIPAY_REFUNDED_TOTAL"] = refundedTotal.description
            variables["ALIPAY_REFUNDED_TOTAL_FEN"] = "\(refundedTotal.value)"
        }
        if let closeReason { variables["ALIPAY_CLOSE_REASON"] = closeReason.rawValue }
        return variables
    }
}

/// Where an event is in its delivery.
public enum OutboxEventState: String, Sendable, CaseIterable {
    /// Not delivered yet (possibly leased to a dispatcher or consumer right now).
    case pending
    case delivered
    /// Gave up after the configured attempts; holds back the later events
    /// of its trade until a person redelivers it.
    case dead
}

/// What `redeliver` did.
public enum RedeliveryResult: Sendable, Equatable {
    case redelivered
    case notFound
    case notDead(OutboxEventState)
}

/// Everything the ledger knows about one order: for "what happened to order X?".
public struct TradeDetails: Sendable {
    /// One observation of the trade's history: a notification, or a gateway answer.
    public struct NotificationSummary: Sendable {
        /// The notify_id, or a gateway answer's own id.
        public let notifyID: String
        /// `notification` or `gateway`.
        public let source: String
        public let tradeStatus: String
        public let totalAmount: Fen
        public let refundFee: Fen?
        public let notifyTime: String?
        public let receivedAt: String
        public let decision: String
    }

    public struct QuarantineSummary: Sendable {
        public let reason: String
        public let detail: String
        public let notifyID: String?
        public let timesSeen: Int
        public let lastSeenAt: String
    }

    public let outTradeNo: String
    /// The order and its reconciliation schedule, when it was registered.
    public let reconciliation: OrderReconciliation?
    public var order: MerchantOrder? { reconciliation?.order }
    public let trade: TradeRecord?
    public let shippedAt: String?
    public let notifications: [NotificationSummary]
    public let events: [OutboxEvent]
    public let quarantined: [QuarantineSummary]
    /// The calls made to Alipay's gateway about this trade, oldest first.
    public let gatewayCalls: [GatewayCall]
    /// The trade's refund requests, oldest first.
    public let refunds: [RefundRequest]
}
