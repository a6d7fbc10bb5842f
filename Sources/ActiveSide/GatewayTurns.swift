import Foundation
import Logging
import Observability
import SystemSupport

/// The turns every caller takes before calling Alipay, across the daemon's
/// threads: `gateway-concurrency` calls at once at most, `gateway-rate` per
/// second at most, refunds and closes before queries (`GatewayTurnQueue`
/// decides; this waits). Alipay counts calls per app, and other systems of
/// the merchant may use the same app, so a `40005` halves the pace.
///
/// With a pace shared by the daemons on one ledger (`SharedGatewayPace`),
/// a caller given its turn also takes a slot from the shared budget and
/// waits for it, and this process takes its next slot only after that one:
/// the daemons together stay within `gateway-rate`, one slot taken ahead
/// per daemon, in its priority order. When the shared pace cannot be
/// reached (the ledger is away), this process keeps to its own pace.
public final class GatewayTurns: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: GatewayTurnQueue
    private let shared: (any SharedGatewayPace)?
    private let logger: Logger?
    private let failureLog = RateLimitedLog(perSecond: 1)

    public convenience init(concurrency: Int, callsPerSecond: Double) {
        self.init(concurrency: concurrency, callsPerSecond: callsPerSecond, shared: nil, logger: nil)
    }

    package init(concurrency: Int, callsPerSecond: Double, shared: (any SharedGatewayPace)?, logger: Logger?) {
        queue = GatewayTurnQueue(concurrency: concurrency, callsPerSecond: callsPerSecond, now: Self.now())
        self.shared = shared
        self.logger = logger
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
                if let shared { waitForSharedSlot(shared) }
                return call()
            case .wait(until: let moment?):
                _ = condition.wait(until: Date(timeIntervalSinceNow: max(0, moment - Self.now())))
            case .wait(until: nil):
                condition.wait()
            }
        }
    }

    /// Alipay said `40005`: halve the pace (one call in 5 s at the
    /// slowest), here and, when shared, for every daemon on the ledger.
    public func slowDown() {
        condition.withLock { queue.slowDown(now: Self.now()) }
        condition.broadcast()
        guard let shared else { return }
        do {
            try shared.slowDown()
        } catch {
            reportSharedPaceFailure(error)
        }
    }

    /// Takes a slot from the shared pace and waits for it; this process's
    /// next turn comes only once that slot has ended.
    private func waitForSharedSlot(_ shared: any SharedGatewayPace) {
        let slot: SharedGatewaySlot
        do {
            slot = try shared.takeSlot()
        } catch {
            reportSharedPaceFailure(error)
            return
        }
        let wait = slot.start - Date().timeIntervalSince1970
        let now = Self.now()
        condition.withLock { queue.notBefore(now + max(0, wait) + slot.interval) }
        condition.broadcast()
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }

    private func reportSharedPaceFailure(_ error: any Error) {
        guard let suppressed = failureLog.admit() else { return }
        let more = suppressed > 0 ? " (\(suppressed) more)" : ""
        logger?.warning("the gateway pace shared with the other daemons cannot be reached (\(error)): keeping to this daemon's own pace\(more)")
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
