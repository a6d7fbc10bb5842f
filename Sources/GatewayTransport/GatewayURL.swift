import HTTPClient

/// A gateway URL that passed the transport's policy: `https://` to any
/// host, or `http://` to a loopback host only (a local sandbox), parsed by
/// libcurl's own URL parser (see `HTTPURL`).
public struct GatewayURL: Sendable, Equatable, CustomStringConvertible {
    public typealias Scheme = HTTPURL.Scheme

    /// The URL as the HTTP client requests it.
    public let url: HTTPURL

    /// Parses and checks `text`; throws what is wrong and what to do.
    public init(_ text: String) throws(GatewayConfigurationError) {
        url = try HTTPURL(text, policy: .httpsOrLoopbackHTTP, setting: "gatewayURL",
                          example: GatewayTransportConfiguration.alipayGatewayURL)
    }

    /// The URL as libcurl normalized it, which is what is requested.
    public var text: String { url.text }
    public var scheme: Scheme { url.scheme }
    /// The host as libcurl reads it (an IPv6 address in brackets).
    public var host: String { url.host }
    /// Whether the host is 127.0.0.0/8, `::1` or `localhost`.
    public var isLoopback: Bool { url.isLoopback }
    public var description: String { url.text }

    static func isLoopback(host: String) -> Bool { HTTPURL.isLoopback(host: host) }
}

/// A gateway setting the transport refuses (see `HTTPClientConfigurationError`).
public typealias GatewayConfigurationError = HTTPClientConfigurationError
