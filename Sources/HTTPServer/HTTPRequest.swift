/// One complete HTTP request: head and de-chunked body.
public struct HTTPRequest: Sendable {
    public enum Version: String, Sendable {
        case http10 = "HTTP/1.0"
        case http11 = "HTTP/1.1"
    }

    public let method: String
    /// The request target as sent (path and query).
    public let target: String
    public let version: Version
    public let headers: HTTPHeaders
    public let body: [UInt8]
    /// Whether the connection stays open after the response: HTTP/1.1 unless
    /// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    public let keepAlive: Bool

    public init(method: String, target: String, version: Version = .http11, headers: HTTPHeaders = HTTPHeaders(),
                body: [UInt8] = [], keepAlive: Bool = true) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The target without its query string: a notify URL's query is ignored.
    public var path: Substring {
        if let question = target.firstIndex(of: "?") { return target[..<question] }
        return target[...]
    }
}
