/// One call the daemon made to Alipay's gateway and what came of it, kept
/// in the ledger for a person ("what did Alipay say, and when?"): a query
/// that found no trade leaves this row and nothing else; a verified answer
/// that states a trade's status is also recorded as an observation whose id
/// is this call's.
public struct GatewayCall: Sendable, Equatable {
    /// What came of a call.
    public enum Outcome: String, Sendable, CaseIterable {
        /// A verified answer with code 10000.
        case succeeded
        /// A verified refusal (`code`/`sub_code` say which).
        case refused
        /// No verified answer: timeout, TLS, unsigned, forged, busy. It decides nothing.
        case unknown
    }

    /// Unique; the id of the observation its answer became, if any.
    public let id: String
    /// `alipay.trade.query`, `alipay.trade.close`, …
    public let method: String
    public let outTradeNo: String
    public let requestedAt: String
    public let answeredAt: String
    public let outcome: Outcome
    public let code: String?
    public let subCode: String?
    /// `sub_msg` of a refusal, or why the result is unknown.
    public let detail: String?
    /// The trade status a verified query answer stated.
    public let tradeStatus: String?
    /// The answer's body as it came over the wire (empty when none came).
    public let rawAnswer: [UInt8]

    public init(id: String, method: String, outTradeNo: String, requestedAt: String, answeredAt: String, outcome: Outcome,
                code: String? = nil, subCode: String? = nil, detail: String? = nil, tradeStatus: String? = nil, rawAnswer: [UInt8] = []) {
        self.id = id
        self.method = method
        self.outTradeNo = outTradeNo
        self.requestedAt = requestedAt
        self.answeredAt = answeredAt
        self.outcome = outcome
        self.code = code
        self.subCode = subCode
        self.detail = detail
        self.tradeStatus = tradeStatus
        self.rawAnswer = rawAnswer
    }
}
