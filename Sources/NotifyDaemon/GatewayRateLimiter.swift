import Foundation
import Locking
import SystemSupport

/// Spaces the daemon's calls to Alipay at most `gateway-rate` per second,
/// across all the threads that call, and halves the pace when Alipay
/// answers `40005` (call rate limited): Alipay counts per app, and other
/// systems of the merchant may use the same app. The pace recovers step by
/// step (doubling every 10 s without another `40005`).
public final class GatewayRateLimiter: Sendable {
    private struct State {
        var rate: Double
        var nextSlot: Double
        var lastChange: Double
    }

    public let configuredRate: Double
    /// The slowest pace a `40005` can bring it to.
    static let slowestRate = 0.2
    static let recoveryStep = 10.0
    private let state: Locked<State>

    public init(callsPerSecond: Double) {
        configuredRate = max(Self.slowestRate, callsPerSecond)
        state = Locked(State(rate: configuredRate, nextSlot: 0, lastChange: Self.now()))
    }

    /// The pace now, in calls per second.
    public var currentRate: Double { state.withLock { $0.rate } }

    /// Waits for this caller's turn.
    public func acquire() {
        let wait = state.withLock { state -> Double in
            let now = Self.now()
            if state.rate < configuredRate, now - state.lastChange >= Self.recoveryStep {
                state.rate = min(configuredRate, state.rate * 2)
                state.lastChange = now
            }
            let slot = max(now, state.nextSlot)
            state.nextSlot = slot + 1 / state.rate
            return slot - now
        }
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }

    /// Alipay said `40005`: halve the pace (one call in 5 s at the slowest).
    public func slowDown() {
        state.withLock { state in
            let now = Self.now()
            guard state.rate > Self.slowestRate else { return }
            state.rate = max(Self.slowestRate, state.rate / 2)
            state.lastChange = now
            state.nextSlot = max(state.nextSlot, now + 1 / state.rate)
        }
    }

    private static func now() -> Double {
        Double(MonotonicClock.nanoseconds()) / 1e9
    }
}
