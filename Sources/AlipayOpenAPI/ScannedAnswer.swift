/// Where the signed parts of an answer body sit: the exact bytes of the
/// response node (from its `{` to the matching `}`, as they came over the
/// wire, which is what Alipay signed) and the top-level `sign` and
/// `alipay_cert_sn` values, wherever they appear in the body.
///
/// Made by `AnswerScanner.scan`, which refuses a body that is not one JSON
/// object, has anything after it, or holds a response node twice.
public struct ScannedAnswer: Sendable {
    /// `<method>_response`, or `error_response` when the gateway answered with that.
    public let nodeName: String
    /// The node's range in the body.
    public let node: Range<Int>
    /// The decoded `sign` value; nil when absent or not a string.
    public let sign: [UInt8]?
    /// `alipay_cert_sn` (certificate mode): which Alipay certificate signed.
    public let alipayCertSN: String?

    /// True when the node is the gateway's `error_response`.
    public var isErrorNode: Bool { nodeName == GatewayMethod.errorNodeName }
}
