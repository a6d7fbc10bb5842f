@testable import ActiveSide
import Foundation
import Ledger
import Logging
import SQLiteLedger
import TestSupport
import Testing

/// Who calls Alipay next: the pure queue with the time as an argument, and
/// the threads that wait on it.
@Suite struct GatewayTurnsTests {
    @Test func noMoreCallsRunAtOnceThanTheConcurrency() {
        var queue = GatewayTurnQueue(concurrency: 2, callsPerSecond: 1000, now: 0)
        let tickets = (0..<3).map { _ in queue.arrive(.query) }
        #expect(queue.turn(for: tickets[0], now: 1) == .go)
        #expect(queue.turn(for: tickets[1], now: 2) == .go)
        #expect(queue.turn(for: tickets[2], now: 3) == .wait(until: nil), "two in flight already")
        queue.finished()
        #expect(queue.turn(for: tickets[2], now: 4) == .go)
    }

    @Test func callsAreSpacedByTheRate() {
        var queue = GatewayTurnQueue(concurrency: 8, callsPerSecond: 10, now: 0)
        let first = queue.arrive(.query), second = queue.arrive(.query)
        #expect(queue.turn(for: first, now: 5) == .go)
        #expect(queue.turn(for: second, now: 5.01) == .wait(until: 5.1))
        #expect(queue.turn(for: second, now: 5.1) == .go)
    }

    @Test func moneyMovesBeforeQueriesThatWereWaitingLonger() {
        var queue = GatewayTurnQueue(concurrency: 1, callsPerSecond: 1000, now: 0)
        let running = queue.arrive(.query)
        #expect(queue.turn(for: running, now: 1) == .go)
        let queries = (0..<3).map { _ in queue.arrive(.query) }
        let refund = queue.arrive(.money)
        let close = queue.arrive(.money)
        queue.finished()
        #expect(queue.turn(for: queries[0], now: 2) == .wait(until: nil), "a refund waits")
        #expect(queue.turn(for: close, now: 2) == .wait(until: nil), "first come first served among money calls")
        #expect(queue.turn(for: refund, now: 2) == .go)
        queue.finished()
        #expect(queue.turn(for: close, now: 3) == .go)
        queue.finished()
        #expect(queue.turn(for: queries[0], now: 4) == .go)
    }

    @Test func aWaiterThatLeavesGivesItsPlaceToTheNext() {
        var queue = GatewayTurnQueue(concurrency: 1, callsPerSecond: 1000, now: 0)
        let first = queue.arrive(.query), second = queue.arrive(.query)
        queue.leave(first)
        #expect(queue.turn(for: second, now: 1) == .go)
    }

    @Test func a40005HalvesThePaceWhichDoublesBackEveryTenSeconds() {
        var queue = GatewayTurnQueue(concurrency: 8, callsPerSecond: 20, now: 0)
        queue.slowDown(now: 100)
        #expect(queue.rate == 10)
        for _ in 0..<10 { queue.slowDown(now: 100) }
        #expect(queue.rate == 0.2, "never slower than one call in 5 s")
        let ticket = queue.arrive(.query)
        #expect(queue.turn(for: ticket, now: 100) == .wait(until: 105))
        #expect(queue.turn(for: ticket, now: 110) == .go)
        #expect(queue.rate == 0.4, "doubled after 10 s without another 40005")
    }

    @Test func threadsTakeTurnsAtTheRateAndNeverMoreAtOnceThanTheConcurrency() throws {
        let turns = GatewayTurns(concurrency: 2, callsPerSecond: 20)
        let running = Counter()
        let started = Date()
        _ = try onThreads(11) { _ in
            turns.take(.query) {
                running.enter()
                usleep(30_000)
                running.leave()
            }
        }
        #expect(Date().timeIntervalSince(started) >= 0.45, "11 calls at 20/s take at least half a second")
        #expect(running.maximum <= 2)
        #expect(turns.inFlight == 0 && turns.waiting == 0)
    }

    @Test func aRefundWaitingForTheOnlyConnectionGoesBeforeTheQueriesQueuedEarlier() throws {
        let turns = GatewayTurns(concurrency: 1, callsPerSecond: 1000)
        let order = Counter()
        let release = DispatchSemaphore(value: 0)
        let first = Thread { turns.take(.query) { release.wait() } }
        first.start()
        while turns.inFlight == 0 { usleep(1000) }
        var threads: [Thread] = []
        for name in ["q1", "q2", "q3", "refund"] {
            let thread = Thread { turns.take(name == "refund" ? .money : .query) { order.append(name) } }
            threads.append(thread)
            thread.start()
            while turns.waiting < threads.count { usleep(1000) }
        }
        release.signal()
        while order.names.count < 4 { usleep(1000) }
        #expect(order.names == ["refund", "q1", "q2", "q3"])
    }

    /// Two "daemons" (two writers on one SQLite file: two connections), each
    /// with turns of its own at the same rate.
    final class TwoDaemons: @unchecked Sendable {
        let directory = TemporaryDirectory("gateway-pace")
        let writers: [LedgerWriter]
        let turns: [GatewayTurns]
        let starts = Counter()

        init(callsPerSecond: Double, shared: Bool) throws {
            let path = directory.file("ledger.db")
            writers = try (0..<2).map { _ in LedgerWriter(store: try SQLiteLedgerStore(path: path), logger: Logger(label: "pace")) }
            turns = writers.map { writer in
                GatewayTurns(concurrency: 4, callsPerSecond: callsPerSecond,
                             shared: shared ? LedgerGatewayPace(writer: writer, appID: "2021000123456789", callsPerSecond: callsPerSecond) : nil,
                             logger: Logger(label: "pace"))
            }
        }

        deinit { for writer in writers { writer.shutdown() } }

        /// `count` calls at once, spread over both; the moments they started, in order.
        func call(_ count: Int) throws -> [Double] {
            _ = try onThreads(count) { [turns, starts] index in
                turns[index % 2].take(.query) { starts.started(at: Date().timeIntervalSince1970) }
            }
            return starts.moments
        }
    }

    @Test func twoDaemonsSharingALedgersPaceStayWithinTheRateTogether() throws {
        let daemons = try TwoDaemons(callsPerSecond: 20, shared: true)
        let moments = try daemons.call(21)
        let span = moments.last! - moments.first!
        #expect(span >= 0.9, "21 calls at 20 a second take a second, whichever daemon makes them: \(span) s")
        let busiest = moments.map { start in moments.filter { $0 >= start && $0 < start + 0.5 }.count }.max()!
        #expect(busiest <= 11, "spaced, never in a burst: \(busiest) calls in half a second")
    }

    @Test func eachDaemonOnItsOwnPaceWouldGoTwiceAsFast() throws {
        let daemons = try TwoDaemons(callsPerSecond: 20, shared: false)
        let moments = try daemons.call(21)
        #expect(moments.last! - moments.first! < 0.7, "what the shared pace prevents: two budgets of one app's calls")
    }

    @Test func a40005SeenByOneDaemonSlowsTheOther() throws {
        let daemons = try TwoDaemons(callsPerSecond: 20, shared: true)
        _ = try daemons.call(2)
        daemons.turns[0].slowDown()
        daemons.turns[0].slowDown()
        let before = daemons.starts.moments.count
        for _ in 0..<4 { daemons.turns[1].take(.query) { daemons.starts.started(at: Date().timeIntervalSince1970) } }
        let moments = Array(daemons.starts.moments.dropFirst(before))
        #expect(moments.last! - moments.first! >= 0.55, "the other daemon keeps to a quarter of the pace (5 a second): \(moments)")
        #expect(daemons.turns[1].currentRate == 20, "its own pace was never told: the shared one slowed it")
    }
}

/// How many run at once at most, and in which order things happened.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private(set) var maximum = 0
    private var recorded: [String] = []
    private var startedAt: [Double] = []

    func started(at moment: Double) { lock.withLock { startedAt.append(moment) } }
    var moments: [Double] { lock.withLock { startedAt.sorted() } }

    func enter() { lock.withLock { current += 1; maximum = max(maximum, current) } }
    func leave() { lock.withLock { current -= 1 } }
    func append(_ name: String) { lock.withLock { recorded.append(name) } }
    var names: [String] { lock.withLock { recorded } }
}
