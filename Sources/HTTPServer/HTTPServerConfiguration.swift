import SystemSupport

/// Every limit and timeout of the HTTP server, in one place.
///
/// The defaults suit a notify endpoint that faces the internet: Alipay sends
/// bodies of about 1.2 KiB with a handful of headers, so anything far larger
/// or slower is not Alipay. Each limit has a test that crosses it.
public struct HTTPServerConfiguration: Sendable {
    /// Request line plus headers, in bytes. Crossing it answers 431.
    public var maximumHeadBytes: Int = 16 * 1024
    /// Header fields per request. Crossing it answers 431.
    public var maximumHeaderCount: Int = 100
    /// Request body, in bytes, after de-chunking. Crossing it answers 413,
    /// as soon as a `Content-Length` announces it or the chunks add up to it.
    public var maximumBodyBytes: Int = 256 * 1024
    /// The whole request head must arrive within this time of its first byte
    /// (or of the connection being accepted); otherwise 408 and close.
    /// This, not an idle timer, is what stops a slowloris client.
    public var headerTimeout: Duration = .seconds(10)
    /// The body must arrive within this time of the end of the head.
    public var bodyTimeout: Duration = .seconds(30)
    /// A keep-alive connection with no request in progress is closed after this.
    public var idleTimeout: Duration = .seconds(60)
    /// A client that does not read its responses for this long is dropped.
    public var writeTimeout: Duration = .seconds(30)
    /// Open connections across all listeners of this server. Connections
    /// beyond it are accepted and closed at once (not left in the backlog).
    public var maximumConnections: Int = 4096
    /// Requests of one connection whose responses are not yet written. While
    /// a connection is at the limit, its socket is not read (backpressure).
    public var maximumPipelinedRequests: Int = 32
    /// Event-loop threads (each one epoll instance). Defaults to the cores.
    public var eventLoopThreads: Int = max(1, System.activeProcessorCount)
    /// `listen(2)` backlog.
    public var backlog: Int32 = 1024
    /// After an error response, unread input is discarded for at most this
    /// long before the socket closes, so the client reads the response
    /// instead of a reset.
    public var lingerTimeout: Duration = .seconds(2)

    public init() {}

    /// The parser's share of the limits.
    var parserLimits: HTTPParserLimits {
        HTTPParserLimits(
            maximumHeadBytes: maximumHeadBytes,
            maximumHeaderCount: maximumHeaderCount,
            maximumBodyBytes: maximumBodyBytes
        )
    }
}

/// The limits `HTTPRequestParser` enforces on its own.
public struct HTTPParserLimits: Sendable {
    public var maximumHeadBytes: Int
    public var maximumHeaderCount: Int
    public var maximumBodyBytes: Int
    /// A chunk-size line (size and extensions) longer than this is malformed.
    public var maximumChunkLineBytes: Int = 1024

    public init(maximumHeadBytes: Int = 16 * 1024, maximumHeaderCount: Int = 100, maximumBodyBytes: Int = 256 * 1024) {
        self.maximumHeadBytes = maximumHeadBytes
        self.maximumHeaderCount = maximumHeaderCount
        self.maximumBodyBytes = maximumBodyBytes
    }
}
