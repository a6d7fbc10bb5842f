import Foundation
import HTTPServer
import Logging

/// A real HTTP server on 127.0.0.1 (the project's own `HTTPServer`, port 0)
/// standing in for a local sandbox gateway: it records every request and
/// answers each with `answer`.
public final class LoopbackGateway: @unchecked Sendable {
    /// One request as the server parsed it.
    public struct Received: Sendable {
        public let method: String
        public let target: String
        public let contentType: String?
        public let headers: [(String, String)]
        public let body: [UInt8]
    }

    public let server: HTTPServer
    public let port: UInt16
    private let lock = NSLock()
    private var received: [Received] = []

    public convenience init(name: String = #function, answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws {
        try self.init(name: name, threads: 1) { request, responder in responder.respond(answer(request)) }
    }

    /// `answering` may answer later, from another thread (a slow gateway).
    public init(name: String = #function, threads: Int, answering: @escaping @Sendable (HTTPRequest, HTTPResponder) -> Void) throws {
        var configuration = HTTPServerConfiguration()
        configuration.eventLoopThreads = threads
        var logger = Logger(label: "test.\(name)")
        logger.logLevel = .warning
        server = try HTTPServer(configuration: configuration, logger: logger)
        let socket = try ListeningSocket(bindingTo: SocketAddress(host: "127.0.0.1", port: 0))
        port = socket.localAddress.port
        let record: @Sendable (Received) -> Void = { [unowned(unsafe) self] in self.record($0) }
        server.addListener(socket, handler: ClosureHandler { request, responder in
            record(Received(
                method: request.method, target: request.target,
                contentType: request.headers["Content-Type"], headers: request.headers.map { ($0.name, $0.value) },
                body: request.body
            ))
            answering(request, responder)
        })
        server.start()
    }

    deinit {
        _ = server.shutdown(gracePeriod: .seconds(1))
    }

    /// The gateway URL a transport is given.
    public var url: String { "http://127.0.0.1:\(port)/gateway.do" }

    public var requests: [Received] { lock.withLock { received } }

    /// Connections the server accepted so far.
    public var connectionsAccepted: Int { server.statistics.connectionsAccepted.load(ordering: .relaxed) }

    private func record(_ request: Received) {
        lock.withLock { received.append(request) }
    }
}
