import Ledger

/// The spacing of calls to Alipay as a value: at most `rate` calls per
/// second, spaced, never in a burst; a `40005` (call rate limited) halves
/// the rate, one call in 5 s at the slowest, and it doubles back every 10 s
/// without another. Pure: the time is an argument.
///
/// `GatewayTurnQueue` keeps one for this process. Daemons sharing a
/// ledger also keep one together, on the ledger's row (`LedgerGatewayPace`),
/// by the same rule: Alipay counts calls per app, not per process.
package struct GatewayPace: Sendable, Equatable {
    /// The slowest pace a `40005` can bring it to: one call in 5 s.
    static let slowestRate = 0.2
    /// How long the pace stays halved before it doubles back.
    static let recoveryStep = 10.0

    let configuredRate: Double
    private(set) var rate: Double
    /// The earliest moment the next call may start.
    private(set) var nextSlot: Double
    /// When the rate last changed.
    private(set) var lastChange: Double

    init(callsPerSecond: Double, now: Double) {
        configuredRate = max(Self.slowestRate, callsPerSecond)
        rate = configuredRate
        nextSlot = 0
        lastChange = now
    }

    /// The spacing between two calls now, in seconds.
    var interval: Double { 1 / rate }

    /// Takes the next slot: the moment (now or later) the call may start.
    mutating func take(now: Double) -> Double {
        recover(now: now)
        let start = max(now, nextSlot)
        nextSlot = start + interval
        return start
    }

    /// Lets no call start before `moment` (a slot taken elsewhere ends then).
    mutating func notBefore(_ moment: Double) {
        nextSlot = max(nextSlot, moment)
    }

    /// Alipay said `40005`: halve the pace, and let the next call wait for it.
    mutating func slowDown(now: Double) {
        guard rate > Self.slowestRate else { return }
        rate = max(Self.slowestRate, rate / 2)
        lastChange = now
        nextSlot = max(nextSlot, now + interval)
    }

    /// Doubles the pace back, up to the configured one, after 10 s without a `40005`.
    mutating func recover(now: Double) {
        if rate < configuredRate, now - lastChange >= Self.recoveryStep {
            rate = min(configuredRate, rate * 2)
            lastChange = now
        }
    }
}

extension GatewayPace {
    /// The pace a ledger row keeps (times in seconds since 1970), for a
    /// daemon configured at `callsPerSecond`: never faster than that.
    init(row: GatewayPaceRow, callsPerSecond: Double) {
        self.init(callsPerSecond: callsPerSecond, now: Double(row.changedAtMicros) / 1e6)
        rate = min(configuredRate, max(Self.slowestRate, 1e6 / Double(max(1, row.intervalMicros))))
        nextSlot = Double(row.nextSlotMicros) / 1e6
    }

    /// The row that keeps this pace.
    var row: GatewayPaceRow {
        GatewayPaceRow(nextSlotMicros: Int64((nextSlot * 1e6).rounded()), intervalMicros: Int64((1e6 / rate).rounded()),
                       changedAtMicros: Int64((lastChange * 1e6).rounded()))
    }
}
