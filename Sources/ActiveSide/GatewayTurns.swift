import Foundation
import SystemSupport

/// The turns every caller takes before calling Alipay, across the daemon's
/// threads: `gateway-concurrency` calls at once at most, `gateway-rate` per
/// second at most, refunds and closes before queries (`GatewayTurnQueue`
/// decides; this waits). Alipay counts calls per app, and other systems of
/// the merchant may use the same app, so a `40005` halves the pace.
public final class GatewayTurns: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: GatewayTurnQueue

    public init(concurrency: Int, callsPerSecond: Double) {
        queue = GatewayTurnQueue(concurrency: concurrency, callsPerSecond: callsPerSecond, now: Self.now())
    }

    /// The pace now, in calls per second.
    public var currentRate: Double { condition.withLock { queue.rate } }
    /// Calls in progress now.
    public var inFlight: Int { condition.withLock { queue.inFlight } }
    /// Callers waiting for a turn now.
    public var waiting: Int { condition.withLock { queue.waitingCount } }

    /// Waits for a turn, runs `call`, and ends the turn.
    public func take<T>(_ priority: GatewayCallPriority, _ call: () -> T) -> T {
        condition.lock()
        let ticket = queue.arrive(priority)
        while true {
            switch queue.turn(for: ticket, now: Self.now()) {
            case .go:
                // The next in line may go too (another free connection), or
                // learn when its slot comes.
                condition.broadcast()
                condition.unlock()
                defer { finish() }
                return call()
            case .wait(until: let moment?):
                _ = condition.wait(until: Date(timeIntervalSinceNow: max(0, moment - Self.now())))
            case .wait(until: nil):
                condition.wait()
            }
        }
    }

    /// Alipay said `40005`: halve the pace (one call in 5 s at the slowest).
    public func slowDown() {
        condition.withLock { queue.slowDown(now: Self.now()) }
        condition.broadcast()
    }

    private func finish() {
        condition.lock()
        queue.finished()
        // The head of the queue may go now; the others re-check their place.
        condition.broadcast()
        condition.unlock()
    }

    private static func now() -> Double {
        Double(MonotonicClock.nanoseconds()) / 1e9
    }
}
