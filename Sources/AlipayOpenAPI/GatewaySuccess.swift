/// A verified answer with `code` 10000: the node's fields, read only after
/// its signature checked out. Only `GatewayOutcome.classify` makes one.
public struct GatewaySuccess: Sendable {
    public let method: GatewayMethod
    public let fields: ResponseNodeFields
    /// The bytes the Alipay key signed (the node, or the node with `\/`
    /// unescaped): evidence to keep beside the record of what was done.
    public let signedContent: [UInt8]
    /// Which configured Alipay key verified it (0 is the first configured).
    public let keyIndex: Int
    /// The answer's `alipay_cert_sn`, in certificate mode.
    public let alipayCertSN: String?

    init(method: GatewayMethod, fields: ResponseNodeFields, signedContent: [UInt8], keyIndex: Int, alipayCertSN: String?) {
        self.method = method
        self.fields = fields
        self.signedContent = signedContent
        self.keyIndex = keyIndex
        self.alipayCertSN = alipayCertSN
    }
}
