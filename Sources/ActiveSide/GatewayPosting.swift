import GatewayTransport

/// Where a signed request goes and its answer comes from: the gateway
/// transport (libcurl, TLS verified) in the daemon; in the active side's
/// unit tests, an Alipay in the same process, so that signing and
/// verification are exercised without a network or a sandbox process.
public protocol GatewayPosting: Sendable {
    /// POSTs a signed form and returns the answer, or the failure as an unknown result.
    func post(form body: [UInt8]) -> GatewayTransportResult
    /// The gateway's address, for messages.
    var gatewayURL: String { get }
    /// The longest one call may take.
    var totalTimeout: Duration { get }
}

extension GatewayTransport: GatewayPosting {
    public var gatewayURL: String { configuration.gatewayURL }
    public var totalTimeout: Duration { configuration.totalTimeout }
}
