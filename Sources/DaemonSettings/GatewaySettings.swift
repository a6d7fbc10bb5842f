import GatewayTransport

/// How the daemon reaches Alipay's OpenAPI gateway when it asks (queries,
/// closes, refunds): the merchant's app key that signs every request, the
/// gateway, whom to trust for its TLS certificate, and how long to wait.
/// Certificate mode adds the app's certificate and Alipay's root chain,
/// whose serial numbers every request carries.
public struct GatewaySettings: Sendable, Equatable {
    /// The app private key (PKCS#8 PEM, PKCS#1 PEM, or the bare base64
    /// Alipay's key tool writes); nil when the daemon never calls Alipay.
    public var appPrivateKeyPath: String?
    /// Alipay's production gateway unless set.
    public var url = GatewayTransportConfiguration.alipayGatewayURL
    /// Trust the CAs in this file instead of the system's.
    public var caFile: String?
    /// The longest a call may take, connecting included; its result is then
    /// unknown. Alipay answers within a second or two when it is well.
    public var timeout: Duration = .seconds(15)
    /// Calls per second at most, across the daemon's threads (slower for a
    /// while after Alipay answers `40005`).
    public var callsPerSecond = 10
    /// Calls in progress at once, each on a kept connection of its own.
    public var concurrency = 8
    /// Certificate mode: the app's public-key certificate.
    public var appCertPath: String?
    /// Certificate mode: Alipay's root certificate chain.
    public var alipayRootCertPath: String?
}
