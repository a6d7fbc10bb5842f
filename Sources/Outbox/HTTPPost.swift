import CLinux
import SystemSupport
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
        do throws(HTTPPostError) {
            return .success(try exchange(body: body, headers: headers, timeoutMilliseconds: timeoutMilliseconds))
        } catch {
            return .failure(error)
        }
    }

    private func exchange(body: [UInt8], headers: [(String, String)], timeoutMilliseconds: Int) throws(HTTPPostError) -> Int {
        let deadline = MonotonicClock.nanoseconds() + Int64(timeoutMilliseconds) * 1_000_000
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            // getaddrinfo has error codes of its own, not errno.
            throw HTTPPostError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let fd = try system { () throws(SystemError) in
            try SystemCall.perform("socket for \(hostHeader)") {
                socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
            }
        }
        defer { SystemCall.close(fd) }
        do throws(SystemError) {
            _ = try SystemCall.call("connect to \(hostHeader)") { connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) }
        } catch where error.errno == EINPROGRESS {
            // Non-blocking: the connection completes (or fails) while we wait below.
        } catch {
            throw HTTPPostError(error.description)
        }
        guard wait(fd, for: Int16(POLLOUT), until: deadline) else { throw HTTPPostError("timed out connecting to \(hostHeader)") }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
        guard socketError == 0 else { throw HTTPPostError(SystemError("connect to \(hostHeader)", errno: socketError).description) }

        var request = "POST \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        let bytes = Array((request + "\r\n").utf8) + body
        var offset = 0
        while offset < bytes.count {
            let result = try system { () throws(SystemError) in
                try bytes[offset...].withUnsafeBytes { buffer in
                    Result { () throws(SystemError) in
                        try SystemCall.call("send to \(hostHeader)") { Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
                    }
                }.get()
            }
            switch result {
            case .done(0):
                throw HTTPPostError("send to \(hostHeader) took no bytes")
            case .done(let written):
                offset += written
            case .wouldBlock:
                guard wait(fd, for: Int16(POLLOUT), until: deadline) else { throw HTTPPostError("timed out sending to \(hostHeader)") }
            }
        }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let lineEnd = received.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: received[..<lineEnd], as: UTF8.self)
                let parts = line.split(separator: " ")
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else {
                    throw HTTPPostError("not an HTTP response from \(hostHeader): \(line.prefix(60))")
                }
                return code
            }
            guard received.count < 8192 else { throw HTTPPostError("no status line from \(hostHeader)") }
            guard wait(fd, for: Int16(POLLIN), until: deadline) else {
                throw HTTPPostError("timed out after \(timeoutMilliseconds) ms waiting for \(hostHeader) to answer")
            }
            let result = try system { () throws(SystemError) in
                try buffer.withUnsafeMutableBytes { buffer in
                    Result { () throws(SystemError) in
                        try SystemCall.call("reading from \(hostHeader)") { recv(fd, buffer.baseAddress, buffer.count, 0) }
                    }
                }.get()
            }
            switch result {
            case .done(0):
                throw HTTPPostError("\(hostHeader) closed the connection without answering")
            case .done(let count):
                received += buffer[0..<count]
            case .wouldBlock:
                continue
            }
        }
    }

    /// A failed system call as a failed POST, its text naming the call and the host.
    private func system<T>(_ body: () throws(SystemError) -> T) throws(HTTPPostError) -> T {
        do {
            return try body()
        } catch {
            throw HTTPPostError(error.description)
        }
    }

    private func wait(_ fd: Int32, for events: Int16, until deadline: Int64) -> Bool {
        while true {
            let remaining = (deadline - MonotonicClock.nanoseconds()) / 1_000_000
            guard remaining > 0 else { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            switch try? SystemCall.call("poll", { poll(&entry, 1, Int32(min(remaining, 60_000))) }) {
            case .done(let ready) where ready > 0: return true
            case .done, .wouldBlock: continue
            case nil: return false
            }
        }
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
