import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A keep-alive HTTP/1.1 client for replays, limited to loopback addresses:
/// the benchmark never sends traffic anywhere else.
final class LoopbackPoster {
    private let host: String
    private let port: UInt16
    private let path: String
    private var fd: Int32 = -1

    init(url: String) throws {
        guard url.hasPrefix("http://") else { throw ValidationError("replay URL must be http://127.x.x.x:PORT/PATH") }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard let colon = authority.lastIndex(of: ":"), let port = UInt16(authority[authority.index(after: colon)...]) else {
            throw ValidationError("replay URL needs a port")
        }
        host = authority[..<colon] == "localhost" ? "127.0.0.1" : String(authority[..<colon])
        self.port = port
        guard host.hasPrefix("127.") else { throw ValidationError("replays go to loopback addresses only, not \(host)") }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    private func connectIfNeeded() throws {
        guard fd < 0 else { return }
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            fd = -1
            throw ValidationError("cannot connect to \(host):\(port)")
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// POSTs `body` and returns the response body; reconnects once if the
    /// server closed the connection.
    func post(_ body: [UInt8]) throws -> String {
        for attempt in 0..<2 {
            do {
                try connectIfNeeded()
                return try exchange(body)
            } catch {
                if fd >= 0 { close(fd) }
                fd = -1
                if attempt == 1 { throw error }
            }
        }
        return ""
    }

    private func exchange(_ body: [UInt8]) throws -> String {
        var request = Array("POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        request += body
        var offset = 0
        while offset < request.count {
            let written = request[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw ValidationError("send failed") }
            offset += written
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let headEnd = received.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: received[..<headEnd.lowerBound], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count >= headEnd.upperBound + length {
                    if head.contains("connection: close") {
                        close(fd)
                        fd = -1
                    }
                    return String(decoding: received[headEnd.upperBound..<(headEnd.upperBound + length)], as: UTF8.self)
                }
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw ValidationError("connection closed before the response") }
            received += buffer[0..<count]
        }
    }
}

