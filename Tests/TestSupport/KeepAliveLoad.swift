import Dispatch
import Foundation

/// Many POSTs over a few keep-alive connections, each one timed: the
/// traffic of a busy notify URL, fast enough for ten thousand requests in a
/// test, with every answer kept in request order.
public enum KeepAliveLoad {
    public struct Reply: Sendable {
        /// 0 when the connection failed before an answer came.
        public let status: Int
        public let body: String
        public let seconds: Double
    }

    /// Sends every body to `path` over `connections` connections (request
    /// `i` on connection `i % connections`), reconnecting after a close.
    public static func post(_ bodies: [String], port: UInt16, path: String = "/notify", connections: Int = 8) -> [Reply] {
        let replies = LockedReplies(count: bodies.count)
        let requests = UncheckedSendable(bodies.map { body in
            Array("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        })
        // One thread per connection (concurrentPerform would run only as
        // many at once as there are cores).
        let done = DispatchGroup()
        for lane in 0..<connections {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                send(lane: lane, of: connections, requests.value, into: replies, port: port)
            }
        }
        done.wait()
        return replies.all
    }

    private static func send(lane: Int, of connections: Int, _ requests: [[UInt8]], into replies: LockedReplies, port: UInt16) {
        var client: TCPClient?
        for index in stride(from: lane, to: requests.count, by: connections) {
            let start = DispatchTime.now().uptimeNanoseconds
            var reply = Reply(status: 0, body: "", seconds: 0)
            for _ in 0..<2 {
                do {
                    if client == nil { client = try TCPClient(port: port, timeout: 30) }
                    try client!.send(requests[index])
                    let response = try client!.readResponses(1)[0]
                    reply = Reply(status: response.status, body: response.body,
                                  seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                    if response.headers["connection"]?.lowercased() == "close" { client = nil }
                    break
                } catch {
                    client = nil
                }
            }
            replies.set(index, reply)
        }
    }

    /// The `fraction` quantile of the replies' latencies, in milliseconds.
    public static func percentile(_ replies: [Reply], _ fraction: Double) -> Double {
        let sorted = replies.map(\.seconds).sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))] * 1000
    }
}

private final class LockedReplies: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [KeepAliveLoad.Reply]
    init(count: Int) { values = Array(repeating: KeepAliveLoad.Reply(status: 0, body: "", seconds: 0), count: count) }
    func set(_ index: Int, _ value: KeepAliveLoad.Reply) { lock.withLock { values[index] = value } }
    var all: [KeepAliveLoad.Reply] { lock.withLock { values } }
}
