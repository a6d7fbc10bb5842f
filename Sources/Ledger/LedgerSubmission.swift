import AlipayNotify

/// What the ledger writer is asked to record, after the signature check.
public enum LedgerSubmission: Sendable {
    /// An authentic, well-formed observation of a trade (a notification or a
    /// gateway answer); the business checks run in the ledger transaction.
    case observation(AcceptedObservation)
    /// An authentic body that is not a usable observation (a required field
    /// missing or malformed): kept for a person to see.
    case quarantine(QuarantineEntry)
}

/// A verified observation with the bytes it came in and the rules it must
/// pass, as received.
public struct AcceptedObservation: Sendable {
    public let observation: TradeObservation
    /// The notification's body, or the gateway answer's: kept with the record.
    public let rawBody: [UInt8]
    public let receivedAt: String
    public let rules: BusinessRules

    public init(observation: TradeObservation, rawBody: [UInt8], rules: BusinessRules, receivedAt: String = Timestamp.now()) {
        self.observation = observation
        self.rawBody = rawBody
        self.rules = rules
        self.receivedAt = receivedAt
    }
}

/// A correctly signed body the daemon refused, and why. Stored in the
/// `quarantine` table (never as trusted data) and answered `fail`, so
/// Alipay retries and an operator can fix the cause.
public struct QuarantineEntry: Sendable {
    public let reason: RejectionReason
    /// The observation's id: a notification's notify_id, or a gateway answer's own id.
    public let sourceID: String?
    public let outTradeNo: String?
    public let appID: String?
    /// The amount stated, when it parses; `total_amount` is stored as
    /// `88.88`, whatever form the body gave it in.
    public let totalAmount: Fen?
    public let rawBody: [UInt8]

    public init(reason: RejectionReason, sourceID: String?, outTradeNo: String?, appID: String?,
                totalAmount: Fen?, rawBody: [UInt8]) {
        self.reason = reason
        self.sourceID = sourceID
        self.outTradeNo = outTradeNo
        self.appID = appID
        self.totalAmount = totalAmount
        self.rawBody = rawBody
    }

    /// The entry for an observation that failed a business check.
    init(reason: RejectionReason, accepted: AcceptedObservation) {
        let observation = accepted.observation
        self.init(reason: reason, sourceID: observation.source.id, outTradeNo: observation.outTradeNo,
                  appID: observation.appID, totalAmount: observation.totalAmount, rawBody: accepted.rawBody)
    }

    /// Repeats of the same refusal (Alipay's retries) share one row: the
    /// reason and the observation's id, or a hash of the body without an id.
    var deduplicationKey: String {
        if let sourceID { return "\(reason.code)|\(sourceID)" }
        let hash = StableHash.fnv1a(rawBody)
        return "\(reason.code)|body:\(String(hash, radix: 16))"
    }
}
