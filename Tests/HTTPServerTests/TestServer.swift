import Dispatch
import HTTPServer
import Logging

/// A real server on 127.0.0.1 with a port of the kernel's choosing and a
/// few routes that exercise the connection machinery.
final class TestServer: Sendable {
    let server: HTTPServer
    let port: UInt16

    init(configure: (inout HTTPServerConfiguration) -> Void = { _ in }, name: String = #function) throws {
        var configuration = HTTPServerConfiguration()
        configuration.eventLoopThreads = 2
        configure(&configuration)
        var logger = Logger(label: "test.\(name)")
        logger.logLevel = .warning
        server = try HTTPServer(configuration: configuration, logger: logger)
        let socket = try ListeningSocket(bindingTo: SocketAddress(host: "127.0.0.1", port: 0))
        port = socket.localAddress.port
        server.addListener(socket, handler: ClosureHandler(TestServer.route))
        server.start()
    }

    deinit {
        server.shutdown(gracePeriod: .seconds(2))
    }

    var url: String { "http://127.0.0.1:\(port)" }

    static func route(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let query = request.target.split(separator: "?").dropFirst().first.map(String.init) ?? ""
        switch request.path {
        case "/hello":
            responder.respond(.text(200, "hello"))
        case "/echo":
            responder.respond(HTTPResponse(status: 200, body: request.body))
        case "/slow":
            // Answer later, from another thread, after `ms` milliseconds.
            let milliseconds = Int(query.replacingOccurrences(of: "ms=", with: "")) ?? 100
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
                responder.respond(.text(200, "slow \(milliseconds)"))
            }
        case "/never":
            break // the responder is dropped without an answer
        default:
            responder.respond(.text(404, "no such path"))
        }
    }
}
