/// What the gateway answered: the HTTP status and the body's bytes, exactly
/// as they came (the signature covers the raw bytes, so nothing here decodes
/// them). Any status is an answer at this level; whether it is a *fact* is
/// for the caller to decide after verifying Alipay's signature.
public struct GatewayResponse: Sendable, Equatable {
    /// The HTTP status code (200 for every gateway answer Alipay signs).
    public let status: Int
    /// The body, at most `GatewayTransportConfiguration.maximumResponseBytes`.
    public let body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}
