import Foundation
import HTTPServer
import Logging

/// A real HTTP endpoint standing in for the merchant's fulfillment system:
/// it answers according to a script and records every request.
public final class ScriptedSinkServer: @unchecked Sendable {
    public enum Answer { case status(Int), hang }

    public struct Received: Sendable {
        public let idempotencyKey: String
        public let body: String
        public let at: Date
    }

    private let lock = NSLock()
    private var script: [Answer]
    private var fallback: Answer
    private var received: [Received] = []
    private var hung: [HTTPResponder] = []
    public let server: HTTPServer
    public let port: UInt16

    public init(script: [Answer], then fallback: Answer = .status(200)) throws {
        self.script = script
        self.fallback = fallback
        var configuration = HTTPServerConfiguration()
        configuration.eventLoopThreads = 1
        server = try HTTPServer(configuration: configuration, logger: Logger(label: "sink-server"))
        let socket = try ListeningSocket(bindingTo: SocketAddress(host: "127.0.0.1", port: 0))
        port = socket.localAddress.port
        let handler = ClosureHandler { [unowned self] request, responder in self.handle(request, responder) }
        server.addListener(socket, handler: handler)
        server.start()
    }

    deinit {
        lock.withLock { hung.forEach { $0.respond(.text(200, "late")) } }
        server.shutdown(gracePeriod: .seconds(1))
    }

    public var url: String { "http://127.0.0.1:\(port)/events" }

    public var requests: [Received] { lock.withLock { received } }

    public func setFallback(_ answer: Answer) { lock.withLock { fallback = answer } }

    private func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let answer: Answer = lock.withLock {
            received.append(Received(idempotencyKey: request.headers["Idempotency-Key"] ?? "",
                                     body: String(decoding: request.body, as: UTF8.self), at: Date()))
            return script.isEmpty ? fallback : script.removeFirst()
        }
        switch answer {
        case .status(let status): responder.respond(.text(status, "answer \(status)"))
        case .hang: lock.withLock { hung.append(responder) }
        }
    }
}
