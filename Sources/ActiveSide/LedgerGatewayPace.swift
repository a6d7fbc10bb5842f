import Ledger

/// The pace shared by every daemon on one ledger, for one app: the
/// `GatewayPace` rule run on the ledger's row (`GatewayPaceBook`) in one
/// short transaction per call, through the writer. One row per app; the
/// time is each daemon's wall clock, read inside the transaction, so the
/// daemons' clocks must agree (NTP), as their leases need anyway.
///
/// Why a shared budget rather than a share per live daemon (the rate
/// divided by the daemons holding leases): a slot costs one short
/// transaction (0.4–0.5 ms on a local PostgreSQL, see BENCHMARKS.md),
/// nothing next to a call to Alipay; the budget is exact
/// whoever is busy (a share leaves an idle daemon's part unused and
/// overshoots while daemons start or stop); and a `40005` slows every
/// daemon at its next call, not at its next count of the others.
package struct LedgerGatewayPace: SharedGatewayPace {
    let writer: LedgerWriter
    let appID: String
    /// This daemon's `gateway-rate`: the shared pace is never faster.
    let callsPerSecond: Double
    let clock: @Sendable () -> Double

    package init(writer: LedgerWriter, appID: String, callsPerSecond: Double,
                 clock: @escaping @Sendable () -> Double = { Timestamp.nowEpochSeconds() }) {
        self.writer = writer
        self.appID = appID
        self.callsPerSecond = callsPerSecond
        self.clock = clock
    }

    package func takeSlot() throws -> SharedGatewaySlot {
        try change { pace, now in
            let start = pace.take(now: now)
            return SharedGatewaySlot(start: start, interval: pace.interval)
        }
    }

    package func slowDown() throws {
        try change { pace, now in pace.slowDown(now: now) }
    }

    private func change<T: Sendable>(_ body: @escaping @Sendable (inout GatewayPace, Double) -> T) throws -> T {
        let (appID, rate, clock) = (appID, callsPerSecond, clock)
        return try writer.performAndWait { store in
            let now = clock()
            return try store.updateGatewayPace(appID: appID, initial: GatewayPace(callsPerSecond: rate, now: now).row) { row in
                var pace = GatewayPace(row: row, callsPerSecond: rate)
                let result = body(&pace, now)
                row = pace.row
                return result
            }
        }
    }
}
