import AlipayNotify

/// One request to give money back: recorded in the ledger in the
/// transaction that decides it, and only then sent to Alipay, always with
/// the same `out_request_no`, so that a retry, a restart or another daemon
/// sends the very same request and Alipay moves the money at most once.
public struct RefundRequest: Sendable, Equatable {
    public var outTradeNo: String
    /// Alipay's `out_request_no`: names this refund of this trade.
    public var requestNo: String
    public var amount: Fen
    public var reason: String
    public var origin: RefundOrigin
    public var state: RefundState
    /// Calls made for it so far (refunds and refund queries).
    public var attempts: Int
    /// What the next attempt calls: `refund`, or `query` when an earlier
    /// refund may have reached Alipay and its result is not known.
    public var nextCall: RefundCall
    /// When it is tried next; nil once its result is known.
    public var nextAttemptAt: String?
    /// Since when every answer has been unknown.
    public var unknownSince: String?
    /// When a refund call was last sent (it may have reached Alipay).
    public var sentAt: String?
    /// Alipay's last answer, for a person: code, sub_code, fund_change, or why it is unknown.
    public var lastAnswer: String?
    /// The `sub_code` of a final refusal.
    public var subCode: String?
    public var createdAt: String
    public var updatedAt: String
    public var leaseOwner: String?

    public init(outTradeNo: String, requestNo: String, amount: Fen, reason: String, origin: RefundOrigin, state: RefundState = .pending,
                attempts: Int = 0, nextCall: RefundCall = .refund, nextAttemptAt: String? = nil, unknownSince: String? = nil,
                sentAt: String? = nil, lastAnswer: String? = nil, subCode: String? = nil, createdAt: String = Timestamp.now(),
                updatedAt: String? = nil, leaseOwner: String? = nil) {
        self.outTradeNo = outTradeNo
        self.requestNo = requestNo
        self.amount = amount
        self.reason = reason
        self.origin = origin
        self.state = state
        self.attempts = attempts
        self.nextCall = nextCall
        self.nextAttemptAt = nextAttemptAt
        self.unknownSince = unknownSince
        self.sentAt = sentAt
        self.lastAnswer = lastAnswer
        self.subCode = subCode
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.leaseOwner = leaseOwner
    }

    /// Alipay's longest `out_request_no`.
    public static let maximumRequestNoLength = 64

    /// The stable request for a duplicate payment's full refund.
    public static func duplicatePaymentRequestNo(_ outTradeNo: String) -> String {
        let name = "dup-" + outTradeNo
        guard name.utf8.count > maximumRequestNoLength else { return name }
        let hash = StableHash.fnv1a(outTradeNo.utf8)
        return "dup-" + String(hash, radix: 16)
    }
}

/// Where a refund request stands, exactly one of four words.
public enum RefundState: String, Sendable, CaseIterable, Codable {
    /// Recorded; being sent, or retried.
    case pending
    /// Alipay's verified answer says the money moved (`fund_change=Y`, or
    /// the refund query says `REFUND_SUCCESS`).
    case succeeded
    /// Alipay's verified, final refusal (its `sub_code` says why).
    case failed
    /// Unknown for longer than `attention-after`: never concluded either
    /// way; a person decides (`alipay-notifyd refund retry`), and it is
    /// still retried slowly.
    case attention

    /// Succeeded and failed requests are never sent again.
    public var isFinal: Bool { self == .succeeded || self == .failed }
}

/// What asked for a refund.
public enum RefundOrigin: String, Sendable, CaseIterable, Codable {
    /// The daemon, for a serial paid after its business order was paid (`refund-duplicate-payments`).
    case duplicatePayment = "duplicate_payment"
    /// A person, through `alipay-notifyd refund` or `POST /trades/{out_trade_no}/refunds`.
    case `operator`
}

/// The call the next attempt of a refund request makes.
public enum RefundCall: String, Sendable, CaseIterable, Codable {
    /// `alipay.trade.refund`, with the request's own `out_request_no`.
    case refund
    /// `alipay.trade.fastpay.refund.query`: did an earlier refund call move the money?
    case query
}

/// What a refund attempt decided, written with the call that decided it
/// (unless the request is final already, or another daemon holds it now).
public struct RefundUpdate: Sendable, Equatable {
    public var requestNo: String
    public var outTradeNo: String
    public var state: RefundState
    public var nextCall: RefundCall
    public var nextAttemptAt: String?
    public var unknownSince: String?
    public var lastAnswer: String?
    public var subCode: String?
    /// Who holds the claim afterwards (nil: let go).
    public var holder: String?

    public init(requestNo: String, outTradeNo: String, state: RefundState, nextCall: RefundCall, nextAttemptAt: String?,
                unknownSince: String?, lastAnswer: String?, subCode: String? = nil, holder: String? = nil) {
        self.requestNo = requestNo
        self.outTradeNo = outTradeNo
        self.state = state
        self.nextCall = nextCall
        self.nextAttemptAt = nextAttemptAt
        self.unknownSince = unknownSince
        self.lastAnswer = lastAnswer
        self.subCode = subCode
        self.holder = holder
    }
}

/// What the ledger says of a new refund request.
public enum RefundRequestOutcome: Sendable, Equatable {
    /// Recorded now; it will be sent.
    case recorded(RefundRequest)
    /// A request with this number exists already (this is the same refund).
    case existing(RefundRequest)
    /// Refused before any call, and why.
    case refused(String)
}

/// Counts for monitoring refunds.
public struct RefundCounts: Sendable, Equatable {
    public var byState: [RefundState: Int]
    /// Since when the oldest request in `attention` has been unknown.
    public var oldestAttentionSince: String?

    public init(byState: [RefundState: Int], oldestAttentionSince: String?) {
        self.byState = byState
        self.oldestAttentionSince = oldestAttentionSince
    }

    public func count(_ state: RefundState) -> Int { byState[state] ?? 0 }
}

/// What the reconciler or the refunder decided after a call, written in the
/// transaction that records the call.
public enum ScheduleUpdate: Sendable, Equatable {
    case order(OrderScheduleUpdate)
    case refund(RefundUpdate)
}
