import Synchronization

/// Counters the server keeps for metrics: what it accepted, refused,
/// rejected and timed out. Updated with relaxed atomics on the hot path.
public final class HTTPServerStatistics: Sendable {
    public let connectionsAccepted = Atomic<Int>(0)
    /// Connections closed at once because `maximumConnections` was reached.
    public let connectionsRefused = Atomic<Int>(0)
    public let requests = Atomic<Int>(0)
    /// Requests answered with a 4xx/5xx by the server itself (malformed, too large).
    public let rejected400 = Atomic<Int>(0)
    public let rejected413 = Atomic<Int>(0)
    public let rejected431 = Atomic<Int>(0)
    public let rejectedOther = Atomic<Int>(0)
    /// Connections closed or answered 408 for a header, body, write or first-byte timeout.
    public let timeouts = Atomic<Int>(0)

    public init() {}

    func recordRejected(status: Int) {
        switch status {
        case 400: rejected400.add(1, ordering: .relaxed)
        case 413: rejected413.add(1, ordering: .relaxed)
        case 431: rejected431.add(1, ordering: .relaxed)
        default: rejectedOther.add(1, ordering: .relaxed)
        }
    }
}
