import Foundation
import Testing
import TestSupport

/// `gateway-rate` is the app's, not the process's: three daemons on one
/// PostgreSQL ledger with many due orders call the sandbox together within
/// the rate (the sandbox's record of when each call arrived), and a `40005`
/// one of them sees slows them all.
@Suite struct SharedGatewayRateTests {
    static let rate = 2.0

    /// Three daemons at `gateway-rate 2` on one database, and `count` orders
    /// due now that Alipay has never heard of (registered before the
    /// daemons start, so that they find them at once).
    func daemonsWithDueOrders(_ name: String, count: Int = 60) throws -> ReconcilingDaemon {
        let database = try PostgresServer.shared.makeDatabase()
        let migrated = try DaemonProcess.command(["orders", "list", "--db", database, "--limit", "1"])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let now = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        let later = "to_char((now() + interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        _ = try PostgresServer.shared.sql(database, """
            INSERT INTO orders(out_trade_no, total_fen, created_at, expires_at, state, next_query_at)
            SELECT 'RATE-' || g, 1000, \(now), \(later), 'open', \(now) FROM generate_series(1, \(count)) g
            """)
        return try ReconcilingDaemon(name, settings: ["gateway-rate = \(Int(Self.rate))", "reconcile-after = 1s", "attention-after = 1m"],
                                     database: database, instances: 3)
    }

    /// Kills the daemons: a daemon told to stop first works off the orders
    /// it holds, which at two calls a second for three takes a while, and
    /// how they stop is not what these tests are about.
    func stopAtOnce(_ setup: ReconcilingDaemon) {
        for daemon in setup.daemons { daemon.stop(signal: SIGKILL) }
    }

    /// The queries the sandbox answered, by the moment each arrived.
    func queryTimes(_ setup: ReconcilingDaemon) throws -> [Double] {
        try setup.sandbox.calls().filter { $0.method == "alipay.trade.query" }.map(\.receivedAt).sorted()
    }

    /// The most calls that arrived within any `window` seconds starting at a call.
    func busiest(_ times: [Double], window: Double) -> Int {
        times.map { start in times.filter { $0 >= start && $0 < start + window }.count }.max() ?? 0
    }

    @Test func threeDaemonsAtGatewayRate2CallAlipayAtMost2TimesASecondTogether() throws {
        let setup = try daemonsWithDueOrders("rate-shared")
        defer { stopAtOnce(setup) }
        // Let them work for a while: 60 orders due at once keep all three busy.
        let deadline = Date().addingTimeInterval(30)
        var times: [Double] = []
        repeat {
            usleep(250_000)
            times = try queryTimes(setup)
        } while (times.last ?? 0) - (times.first ?? .infinity) < 8 && Date() < deadline
        let window = Array(times.prefix { $0 < times[0] + 8 })
        #expect(window.count >= 10, "the daemons kept calling: \(window.count) calls in 8 s")
        #expect(busiest(window, window: 4) <= Int(Self.rate * 4) + 1,
                "\(busiest(window, window: 4)) calls in 4 s from three daemons at gateway-rate 2: \(window.map { $0 - times[0] })")
        let asking = setup.daemons.filter { daemon in daemon.log.contains("asked Alipay about RATE-") }
        #expect(asking.count >= 2, "the calls came from more than one daemon")
    }

    @Test func a40005SeenByOneDaemonSlowsAllThree() throws {
        let setup = try daemonsWithDueOrders("rate-40005")
        defer { stopAtOnce(setup) }
        let deadline = Date().addingTimeInterval(20)
        while try queryTimes(setup).count < 4 && Date() < deadline { usleep(100_000) }
        // The next query, whoever makes it, is answered "call rate limited".
        try setup.sandbox.command(["fault", "*", "alipay.trade.query", "rate-limited", "--times", "1"])
        var limitedAt: Double?
        while limitedAt == nil && Date() < deadline {
            usleep(100_000)
            limitedAt = try setup.sandbox.calls().first { $0.fault == "rate-limited" }?.receivedAt
        }
        let limited = try #require(limitedAt, "no query was made after the fault was armed")
        usleep(8_500_000)
        let after = try queryTimes(setup).filter { $0 > limited + 0.25 && $0 < limited + 8.25 }
        // Halved for 10 s: one call a second for the three together, instead of two.
        #expect(after.count <= Int(Self.rate / 2 * 8) + 1, "\(after.count) calls in the 8 s after the 40005: \(after.map { $0 - limited })")
        #expect(after.count >= 3, "still calling, only slower: \(after.count)")
        let told = setup.daemons.filter { $0.log.contains("Alipay limits the call rate (40005)") }
        #expect(told.count == 1, "one daemon saw the 40005; the others slowed down through the ledger")
    }
}
