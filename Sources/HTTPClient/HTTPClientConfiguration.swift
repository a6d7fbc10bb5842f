/// Every setting of one HTTP client, in one place (the shape of
/// AsyncHTTPClient's `HTTPClient.Configuration`): which URLs it may call,
/// whom it trusts, how long it waits, how much it reads, how many
/// connections it keeps.
///
/// TLS is libcurl's (OpenSSL underneath), never this code's: certificates
/// and host names are always verified, TLS 1.2 or later, redirects never
/// followed. Each caller's policy (the gateway's https-or-loopback rule and
/// form body, the sink's JSON) is a layer on top of a client made with it.
public struct HTTPClientConfiguration: Sendable {
    /// Which schemes a URL may have.
    public enum SchemePolicy: Sendable, Equatable {
        /// `https://` to any host, `http://` only to a loopback host (a
        /// local sandbox): what crosses the network is encrypted.
        case httpsOrLoopbackHTTP
        /// `https://` or `http://` to any host (an internal endpoint the
        /// operator chose, such as the outbox's sink).
        case httpOrHTTPS
    }

    /// Which URLs requests may go to; checked when a URL is made (`url(_:)`).
    public var schemes: SchemePolicy

    /// A PEM file of the CAs to trust *instead of* the system's trust store
    /// (Debian's `ca-certificates`), or `nil` for the system's. Checked for
    /// readability when the client is made.
    public var caFile: String?

    /// The longest a new connection may take, TCP and TLS handshakes
    /// together, on every address the host name has. Default 5 s: a
    /// handshake takes well under a second, and 5 s leaves room for two
    /// lost SYNs (Linux retransmits after 1 s and 3 s).
    public var connectTimeout: Duration

    /// The longest one request may take from start to the last byte of the
    /// answer, connecting included (name resolution too).
    public var totalTimeout: Duration

    /// The largest answer body accepted, in bytes: a larger one is refused
    /// as soon as its `Content-Length` announces it or its bytes add up to it.
    public var maximumResponseBytes: Int

    /// Connections (each on its own libcurl handle) kept open between
    /// requests for reuse; requests beyond it at once get a handle of their
    /// own that is closed afterwards.
    public var keptConnections: Int

    /// Whether `https_proxy`, `http_proxy` and `no_proxy` from the
    /// environment apply (as libcurl reads them). Plain http to a loopback
    /// host never goes through a proxy either way.
    public var usesEnvironmentProxy: Bool

    public init(
        schemes: SchemePolicy = .httpsOrLoopbackHTTP,
        caFile: String? = nil,
        connectTimeout: Duration = .seconds(5),
        totalTimeout: Duration = .seconds(15),
        maximumResponseBytes: Int = 1 << 20,
        keptConnections: Int = 8,
        usesEnvironmentProxy: Bool = true
    ) {
        self.schemes = schemes
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maximumResponseBytes = maximumResponseBytes
        self.keptConnections = keptConnections
        self.usesEnvironmentProxy = usesEnvironmentProxy
    }
}
