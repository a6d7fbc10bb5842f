/// A verified answer that declined the call: Alipay signed it, so what it
/// says is a fact. Only `GatewayOutcome.classify` makes one.
public struct GatewayRefusal: Sendable, CustomStringConvertible {
    /// What the refusal means for the caller, by `code` and `sub_code`.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `40004` + `ACQ.TRADE_NOT_EXIST`: Alipay has no such trade (yet:
        /// for QR-code, page and wap payments the trade exists only once the
        /// buyer scans or logs in, so before the order expires it proves nothing).
        case noSuchTrade = "no_such_trade"
        /// Another `40004` (e.g. `ACQ.TRADE_STATUS_ERROR`): final for this request.
        case businessRefusal = "business_refusal"
        /// `40001`, `40002`, `40006`, `20001`: the request or the app is
        /// wrong; a person must fix the configuration before retrying.
        case configurationError = "configuration_error"
        /// `40005`: the call was rate limited and not made; retry later, slower.
        case rateLimited = "rate_limited"
    }

    public let method: GatewayMethod
    public let kind: Kind
    public let code: String
    public let msg: String?
    public let subCode: String?
    public let subMsg: String?
    public let fields: ResponseNodeFields
    /// True when the gateway answered in `error_response` rather than the method's node.
    public let isErrorNode: Bool
    public let signedContent: [UInt8]

    init(method: GatewayMethod, kind: Kind, fields: ResponseNodeFields, isErrorNode: Bool, signedContent: [UInt8]) {
        self.method = method
        self.kind = kind
        self.code = fields.string("code") ?? ""
        self.msg = fields.nonEmptyString("msg")
        self.subCode = fields.nonEmptyString("sub_code")
        self.subMsg = fields.nonEmptyString("sub_msg")
        self.fields = fields
        self.isErrorNode = isErrorNode
        self.signedContent = signedContent
    }

    public var description: String {
        "\(kind.rawValue): \(method.rawValue) answered code \(code)"
            + (subCode.map { " \($0)" } ?? "") + (subMsg.map { " (\($0))" } ?? msg.map { " (\($0))" } ?? "")
    }
}
