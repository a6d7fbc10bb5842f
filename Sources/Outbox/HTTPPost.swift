import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client for one POST with `Connection: close` and a
/// deadline on the whole exchange (connect, send, and the status line).
/// Enough for an internal fulfillment endpoint; no TLS (terminate it in a
/// local proxy if the endpoint needs it).
struct HTTPPost: Sendable {
    let host: String
    let port: UInt16
    let path: String
    let hostHeader: String

    /// Parses `http://host[:port]/path`.
    init(url: String) throws(SinkConfigurationError) {
        guard url.hasPrefix("http://") else {
            throw SinkConfigurationError("'\(url)' is not an http:// URL (https is not supported: put a local TLS proxy in front)")
        }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
        hostHeader = authority
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? UInt16(after.dropFirst()) ?? 0 : 80
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = UInt16(authority[authority.index(after: colon)...]) ?? 0
        } else {
            host = authority
            port = 80
        }
        guard !host.isEmpty, port != 0 else { throw SinkConfigurationError("'\(url)' has no valid host and port") }
    }

    /// The status code, or a description of what went wrong.
    func post(body: [UInt8], headers: [(String, String)], timeoutMilliseconds: Int) -> Result<Int, HTTPPostError> {
        let deadline = Self.now() + Int64(timeoutMilliseconds) * 1_000_000
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(HTTPPostError("cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(HTTPPostError("socket: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            return .failure(HTTPPostError("connect to \(hostHeader): \(String(cString: strerror(errno)))"))
        }
        guard wait(fd, for: Int16(POLLOUT), until: deadline) else { return .failure(HTTPPostError("timed out connecting to \(hostHeader)")) }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
        guard socketError == 0 else { return .failure(HTTPPostError("connect to \(hostHeader): \(String(cString: strerror(socketError)))")) }

        var request = "POST \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        let bytes = Array((request + "\r\n").utf8) + body
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
                guard wait(fd, for: Int16(POLLOUT), until: deadline) else { return .failure(HTTPPostError("timed out sending to \(hostHeader)")) }
            } else {
                return .failure(HTTPPostError("send to \(hostHeader): \(String(cString: strerror(errno)))"))
            }
        }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let lineEnd = received.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: received[..<lineEnd], as: UTF8.self)
                let parts = line.split(separator: " ")
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else {
                    return .failure(HTTPPostError("not an HTTP response from \(hostHeader): \(line.prefix(60))"))
                }
                return .success(code)
            }
            guard received.count < 8192 else { return .failure(HTTPPostError("no status line from \(hostHeader)")) }
            guard wait(fd, for: Int16(POLLIN), until: deadline) else {
                return .failure(HTTPPostError("timed out after \(timeoutMilliseconds) ms waiting for \(hostHeader) to answer"))
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[0..<count]
            } else if count == 0 {
                return .failure(HTTPPostError("\(hostHeader) closed the connection without answering"))
            } else if errno != EAGAIN && errno != EINTR {
                return .failure(HTTPPostError("reading from \(hostHeader): \(String(cString: strerror(errno)))"))
            }
        }
    }

    private func wait(_ fd: Int32, for events: Int16, until deadline: Int64) -> Bool {
        while true {
            let remaining = (deadline - Self.now()) / 1_000_000
            guard remaining > 0 else { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32(min(remaining, 60_000)))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }

    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// A failed POST.
struct HTTPPostError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A sink setting that cannot work.
public struct SinkConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
