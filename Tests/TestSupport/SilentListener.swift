import HTTPServer

/// A loopback port whose connections the kernel completes but nobody ever
/// reads or answers: a gateway that hangs (plain HTTP) or a TLS handshake
/// that never completes (https).
public final class SilentListener: Sendable {
    public let socket: ListeningSocket
    public var port: UInt16 { socket.localAddress.port }

    public init() throws {
        socket = try ListeningSocket(bindingTo: SocketAddress(host: "127.0.0.1", port: 0))
    }

    deinit {
        socket.close()
    }

    /// A port nothing listens on: bound to learn a free one, then closed.
    public static func refusedPort() throws -> UInt16 {
        let socket = try ListeningSocket(bindingTo: SocketAddress(host: "127.0.0.1", port: 0))
        defer { socket.close() }
        return socket.localAddress.port
    }
}
