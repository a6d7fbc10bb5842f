#if canImport(Glibc)
import Glibc
#endif
import CLinux
import Foundation

/// A blocking TCP client with a receive timeout, for tests that must send
/// exact bytes (malformed requests, pipelines, slow heads) to a real server.
public final class TCPClient {
    public let fd: Int32

    public init(port: UInt16, host: String = "127.0.0.1", timeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            let code = errno
            // Through close(), so deinit (which runs after a throwing init
            // of a class) does not close the number again: by then it may
            // belong to another thread's pipe or socket.
            close()
            throw TestError("connect to \(host):\(port): errno \(code)")
        }
        setTimeout(timeout)
    }

    public func setTimeout(_ seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    private var isOpen = true

    deinit {
        close()
    }

    public func close() {
        if isOpen { Glibc.close(fd) }
        isOpen = false
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestError("send: errno \(errno)") }
            offset += written
        }
    }

    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Reads whatever arrives until the peer closes or nothing comes for the
    /// timeout. Returns the bytes and whether the peer closed.
    public func readUntilClose() -> (bytes: [UInt8], closed: Bool) {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                result.append(contentsOf: buffer[0..<count])
            } else if count == 0 {
                return (result, true)
            } else if errno == EINTR {
                continue
            } else {
                return (result, errno == ECONNRESET)
            }
        }
    }

    /// Reads until `count` complete responses (by Content-Length) arrived.
    public func readResponses(_ count: Int) throws -> [TestResponse] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let parsed = TestResponse.parseAll(data)
            if parsed.count >= count { return Array(parsed.prefix(count)) }
            let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received > 0 {
                data.append(contentsOf: buffer[0..<received])
            } else if received < 0 && errno == EINTR {
                continue
            } else {
                throw TestError("connection ended after \(parsed.count) of \(count) responses: \(String(decoding: data, as: UTF8.self).debugDescription)")
            }
        }
    }

    /// True when the server has closed the connection (reads EOF within the timeout).
    public func isClosedByPeer() -> Bool {
        readUntilClose().closed
    }
}

/// One HTTP response as a test reads it.
public struct TestResponse: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: String

    /// Parses back-to-back responses; stops at the first incomplete one.
    public static func parseAll(_ data: [UInt8]) -> [TestResponse] {
        var responses: [TestResponse] = []
        var index = 0
        let separator: [UInt8] = [13, 10, 13, 10]
        while index < data.count {
            guard let headEnd = data[index...].firstRange(of: separator) else { break }
            let head = String(decoding: data[index..<headEnd.lowerBound], as: UTF8.self)
            let lines = head.components(separatedBy: "\r\n")
            let statusParts = lines[0].split(separator: " ")
            guard statusParts.count >= 2, let status = Int(statusParts[1]) else { break }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            let bodyStart = headEnd.upperBound
            guard data.count >= bodyStart + length else { break }
            responses.append(TestResponse(status: status, headers: headers,
                                          body: String(decoding: data[bodyStart..<(bodyStart + length)], as: UTF8.self)))
            index = bodyStart + length
        }
        return responses
    }
}

public struct TestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
