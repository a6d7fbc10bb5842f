/// One request a client sends: a method, a URL that passed the client's
/// scheme policy, header lines, and a body.
public struct HTTPClientRequest: Sendable {
    /// The methods the daemon uses.
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    public var url: HTTPURL
    /// Header lines besides those libcurl writes (`Host`, `Content-Length`);
    /// `Expect: 100-continue` is never sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: Method, url: HTTPURL, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What a server answered: the status and the body's bytes, exactly as they
/// came. Any status is an answer at this level.
public struct HTTPClientResponse: Sendable, Equatable {
    public let status: Int
    /// At most the client's `maximumResponseBytes`.
    public let body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}
