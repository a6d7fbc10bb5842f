import Foundation
import HTTPServer
import Logging
import TestSupport

/// A real HTTP server on 127.0.0.1 (the project's own `HTTPServer`, port 0)
/// standing in for a local sandbox gateway: it records every request and
/// answers each with `answer`.
final class LoopbackGateway: @unchecked Sendable {
    /// One request as the server parsed it.
    struct Received: Sendable {
        let method: String
        let target: String
        let contentType: String?
        let body: [UInt8]
    }

    let server: HTTPServer
    let port: UInt16
    private let lock = NSLock()
    private var received: [Received] = []

    init(name: String = #function, answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws {
        var configuration = HTTPServerConfiguration()
        configuration.eventLoopThreads = 1
        var logger = Logger(label: "test.\(name)")
        logger.logLevel = .warning
        server = try HTTPServer(configuration: configuration, logger: logger)
        let socket = try ListeningSocket(bindingTo: SocketAddress(host: "127.0.0.1", port: 0))
        port = socket.localAddress.port
        let record: @Sendable (Received) -> Void = { [unowned(unsafe) self] in self.record($0) }
        server.addListener(socket, handler: ClosureHandler { request, responder in
            record(Received(
                method: request.method, target: request.target,
                contentType: request.headers["Content-Type"], body: request.body
            ))
            responder.respond(answer(request))
        })
        server.start()
    }

    deinit {
        _ = server.shutdown(gracePeriod: .seconds(1))
    }

    /// The gateway URL a transport is given.
    var url: String { "http://127.0.0.1:\(port)/gateway.do" }

    var requests: [Received] { lock.withLock { received } }

    /// Connections the server accepted so far.
    var connectionsAccepted: Int { server.statistics.connectionsAccepted.load(ordering: .relaxed) }

    private func record(_ request: Received) {
        lock.withLock { received.append(request) }
    }
}
