#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Many connections that send a request head one byte at a time and never
/// finish it (slowloris), or that just hold a connection open: the test
/// sees when the server closes each one and what it answered first.
public final class SlowClients {
    struct Client {
        let fd: Int32
        let opened: Double
        var closedAfter: Double?
        var answer: [UInt8] = []
        var sent = 0
    }

    private var clients: [Client] = []
    private let started = SlowClients.now()
    private static let head = Array(("POST /notify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Slow: "
        + String(repeating: "a", count: 200)).utf8)

    /// Opens `count` connections (raising this process's descriptor limit
    /// as far as allowed, so the test is not limited by its own).
    public init(count: Int, port: UInt16) throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        for _ in 0..<count {
            let client = try TCPClient(port: port)
            let fd = dup(client.fd)
            client.close()
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            clients.append(Client(fd: fd, opened: Self.now()))
        }
    }

    deinit {
        closeAll()
    }

    /// Sends the next byte of each open connection's head every
    /// `1/bytesPerSecond` s, for `seconds`, watching for closes meanwhile.
    public func trickle(bytesPerSecond: Double, for seconds: Double) {
        trickle(bytesPerSecond: bytesPerSecond, until: Self.now() - started + seconds)
    }

    /// The same, until `seconds` after the connections were opened.
    public func trickle(bytesPerSecond: Double, until seconds: Double) {
        var nextSend = Self.now()
        while Self.now() - started < seconds {
            let sending = Self.now() >= nextSend
            if sending { nextSend += 1 / bytesPerSecond }
            for index in clients.indices where clients[index].closedAfter == nil {
                poll(index)
                if sending && clients[index].closedAfter == nil { send(index) }
            }
            usleep(20_000)
        }
    }

    /// How long after opening each closed connection was closed by the server.
    public func closeTimes() -> [Double] {
        clients.compactMap(\.closedAfter)
    }

    /// Closed connections whose answer was `408 Request Timeout`.
    public var timeoutAnswers: Int {
        clients.filter { $0.closedAfter != nil && $0.answer.starts(with: Array("HTTP/1.1 408".utf8)) }.count
    }

    public func closeAll() {
        for index in clients.indices where clients[index].fd >= 0 {
            Glibc.close(clients[index].fd)
        }
        clients.removeAll()
    }

    private func poll(_ index: Int) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(clients[index].fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 {
                clients[index].answer += buffer[..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                clients[index].closedAfter = Self.now() - clients[index].opened
                return
            } else {
                return
            }
        }
    }

    private func send(_ index: Int) {
        let byte = Self.head[clients[index].sent % Self.head.count]
        let written = withUnsafeBytes(of: byte) { Glibc.send(clients[index].fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        if written == 1 { clients[index].sent += 1 } else if errno != EAGAIN { poll(index) }
    }

    private static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
