import HTTPClient

/// HTTPS to Alipay's OpenAPI gateway: one POST of a signed form per call,
/// the answer's status and raw bytes back, or an unknown result.
///
/// The gateway's rules on top of the daemon's HTTP client: the URL is
/// `https://`, or `http://` to a loopback host only (then never through a
/// proxy); the body is an `application/x-www-form-urlencoded;charset=utf-8`
/// form; an answer over `maximumResponseBytes` (1 MiB) is refused; every
/// failure is an unknown result. Calls run concurrently, each on a kept
/// connection of its own (TLS sessions shared between them); how many at
/// once is for the callers to bound (`GatewayTurns`).
/// Blocking: call it from a thread that may wait up to `totalTimeout`, never
/// from an event loop.
public final class GatewayTransport: Sendable {
    /// The settings in force.
    public let configuration: GatewayTransportConfiguration
    /// The checked gateway URL.
    public let url: GatewayURL
    private let client: HTTPClient

    /// Checks the settings (URL policy, CA file, timeouts, limit) and
    /// prepares the first connection; throws what is wrong and what to do.
    public init(configuration: GatewayTransportConfiguration) throws(GatewayConfigurationError) {
        let url = try GatewayURL(configuration.gatewayURL)
        client = try HTTPClient(configuration: HTTPClientConfiguration(
            schemes: .httpsOrLoopbackHTTP, caFile: configuration.caFile, connectTimeout: configuration.connectTimeout,
            totalTimeout: configuration.totalTimeout, maximumResponseBytes: configuration.maximumResponseBytes,
            keptConnections: configuration.keptConnections, usesEnvironmentProxy: true))
        self.configuration = configuration
        self.url = url
    }

    static let formHeaders: [(name: String, value: String)] = [
        ("Content-Type", "application/x-www-form-urlencoded;charset=utf-8"),
    ]

    /// POSTs `body` (a form, already signed) and returns the answer, whatever
    /// its status, or the failure as an unknown result. Waits at most
    /// `totalTimeout`.
    public func post(form body: [UInt8]) -> GatewayTransportResult {
        switch client.perform(HTTPClientRequest(method: .post, url: url.url, headers: Self.formHeaders, body: body)) {
        case .success(let response):
            return .answered(response)
        case .failure(let failure):
            return .unknown(GatewayTransportError(failure))
        }
    }

    /// Connections kept open for the next calls.
    public var keptConnections: Int { client.keptHandles }
}
