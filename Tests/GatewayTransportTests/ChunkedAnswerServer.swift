import Foundation
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// One loopback connection answered with a chunked body (no
/// Content-Length), written by hand: `HTTPServer` always announces the
/// length, so only this reaches the transport's own byte limit.
final class ChunkedAnswerServer: Sendable {
    let socket: ListeningSocket
    var port: UInt16 { socket.localAddress.port }

    /// Serves one connection on a thread of its own: reads the request
    /// head, then writes `chunks` chunks of `chunkBytes` bytes.
    init(chunks: Int, chunkBytes: Int) throws {
        socket = try ListeningSocket(bindingTo: SocketAddress(host: "127.0.0.1", port: 0))
        let listener = socket.fd
        Thread.detachNewThread {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 5000) == 1 else { return }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var buffer = [UInt8](repeating: 0, count: 65536)
            _ = read(connection, &buffer, buffer.count) // the whole small request
            var answer = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            for _ in 0..<chunks {
                answer += Array((String(chunkBytes, radix: 16) + "\r\n").utf8)
                answer += [UInt8](repeating: UInt8(ascii: "x"), count: chunkBytes) + Array("\r\n".utf8)
            }
            answer += Array("0\r\n\r\n".utf8)
            _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    deinit {
        socket.close()
    }
}
