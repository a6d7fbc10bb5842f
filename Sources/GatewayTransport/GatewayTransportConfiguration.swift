/// Every setting of the connection to Alipay's OpenAPI gateway, in one place
/// (the shape of AsyncHTTPClient's `HTTPClient.Configuration`).
///
/// The defaults suit Alipay's production gateway from a merchant's server:
/// its answers are a few KiB and normally come within a second, so anything
/// far larger or slower is not a healthy gateway. Every failure to reach it,
/// whichever limit it crosses, is an *unknown* result for the caller.
public struct GatewayTransportConfiguration: Sendable {
    /// Alipay's production gateway.
    public static let alipayGatewayURL = "https://openapi.alipay.com/gateway.do"
    /// Alipay's sandbox gateway.
    public static let alipaySandboxGatewayURL = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"

    /// Where every call is POSTed. Must be `https://`; `http://` is accepted
    /// only for a loopback host (127.0.0.0/8, `::1`, `localhost`), such as a
    /// local sandbox, and then no proxy is used, so the signed request never
    /// leaves the machine in clear text. Anything else is refused when the
    /// transport is made (`GatewayConfigurationError`).
    public var gatewayURL: String

    /// A PEM file of the CAs to trust *instead of* the system's trust store
    /// (Debian's `ca-certificates`), or `nil` for the system's. For a test
    /// gateway with its own CA, or to pin the CAs that sign Alipay's gateway.
    /// Checked for readability when the transport is made.
    public var caFile: String?

    /// The longest a new connection may take, TCP and TLS handshakes
    /// together. Default 5 s: a handshake with the gateway takes well under a
    /// second, and 5 s leaves room for two lost SYNs (Linux retransmits
    /// after 1 s and 3 s) before the call gives up and can be retried.
    public var connectTimeout: Duration

    /// The longest one call may take from start to the last byte of the
    /// answer, connecting included. Default 15 s: Alipay answers queries,
    /// closes and refunds within a second or two when healthy; 15 s waits
    /// out a slow moment yet leaves time for about four tries in the minute
    /// that Alipay's rules give an unknown result before a person is told.
    public var totalTimeout: Duration

    /// The largest answer body accepted, in bytes. Default 1 MiB: Alipay's
    /// answers (one signed JSON node) are a few KiB; a larger one is refused
    /// as soon as its `Content-Length` announces it or its bytes add up to it,
    /// so a wrong URL cannot fill the daemon's memory.
    public var maximumResponseBytes: Int

    /// Connections kept open for reuse, one per call that runs at once.
    /// Default 8, `gateway-concurrency`'s default: the daemon's callers
    /// take turns (`GatewayTurns`) so that no more calls than this run at once.
    public var keptConnections: Int

    public init(
        gatewayURL: String = GatewayTransportConfiguration.alipayGatewayURL,
        caFile: String? = nil,
        connectTimeout: Duration = .seconds(5),
        totalTimeout: Duration = .seconds(15),
        maximumResponseBytes: Int = 1 << 20,
        keptConnections: Int = 8
    ) {
        self.gatewayURL = gatewayURL
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maximumResponseBytes = maximumResponseBytes
        self.keptConnections = keptConnections
    }
}
