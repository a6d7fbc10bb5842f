import Dispatch
import Foundation
import Testing
import TestSupport

/// `kill -9` at random moments under load, twenty times, each run
/// restarted on the same ledger while Alipay keeps retrying what was not
/// answered `success`: nothing answered `success` is ever lost, no trade
/// ships twice, and SQLite's integrity check passes.
@Suite struct CrashLoopTests {
    @Test func twentyKillsUnderLoadLoseNoSuccessAndShipNothingTwice() throws {
        // Originals plus byte-identical duplicates, re-signed retries,
        // resends under new notify_ids, and a few forgeries, shuffled.
        let directory = TemporaryDirectory("crash-loop")
        let lines = try SignedCorpus.lines(count: 3000, seed: 31, repeats: true)

        var generator = SeededGenerator(seed: 32)
        var answeredSuccess = Set<Int>()
        var killedMidLoad = 0
        let rounds = 20
        let arguments = DaemonProcess.fixtureArguments(directory, extra: ["--accept-unknown-orders"])
        for _ in 0..<rounds {
            // Every line not yet answered success: Alipay's retries of the
            // earlier ones, then new ones; more than a round can finish.
            let pending = lines.indices.filter { !answeredSuccess.contains($0) }
            let daemon = try DaemonProcess(arguments: arguments, directory: directory)
            let load = DetachedLoad(pending.map { lines[$0] }, port: daemon.port)
            usleep(UInt32.random(in: 5_000...80_000, using: &generator))
            _ = daemon.stop(signal: SIGKILL)
            let replies = load.wait()
            if replies.contains(where: { $0.status == 0 }) { killedMidLoad += 1 }
            for (index, reply) in zip(pending, replies) where reply.body == "success" { answeredSuccess.insert(index) }
        }

        let successesWhileKilled = answeredSuccess.count

        // A last run, left alone: every retry is answered.
        let daemon = try DaemonProcess(arguments: arguments, directory: directory)
        let rest = lines.indices.filter { !answeredSuccess.contains($0) }
        let last = KeepAliveLoad.post(rest.map { lines[$0] }, port: daemon.port, connections: 4)
        for (index, reply) in zip(rest, last) where reply.body == "success" { answeredSuccess.insert(index) }
        let forged = zip(rest, last).filter { $0.1.body != "success" }
        #expect(forged.allSatisfy { $0.1.status == 400 }, "not answered: \(forged.filter { $0.1.status != 400 }.prefix(3).map(\.1.status))")

        let recorded = Set(try daemon.sql("SELECT notify_id FROM notifications").split(separator: "\n").map(String.init))
        let lost = answeredSuccess.filter { !recorded.contains(Fixtures.parameter("notify_id", in: lines[$0])!) }
        #expect(lost.isEmpty, "\(lost.count) notifications answered success are not in the ledger")
        let paidTrades = Set(answeredSuccess.map { Fixtures.parameter("out_trade_no", in: lines[$0])! })
        #expect(try daemon.sql("SELECT count(*) FROM events WHERE kind = 'ship'") == "\(paidTrades.count)")
        #expect(try daemon.sql("SELECT count(*) FROM (SELECT out_trade_no FROM events WHERE kind = 'ship' GROUP BY out_trade_no HAVING count(*) > 1)") == "0")
        #expect(try daemon.sql("PRAGMA integrity_check") == "ok")
        #expect(killedMidLoad == rounds, "only \(killedMidLoad) of \(rounds) kills landed while requests were in flight")
        print("hardening: kill -9: \(rounds) kills at random moments (\(killedMidLoad) with requests in flight), restarts on the same ledger, \(lines.count) corpus lines: \(successesWhileKilled) answered success in the killed runs, \(answeredSuccess.count) in all, every one in the ledger; \(paidTrades.count) trades, one ship event each; \(forged.count) forgeries answered fail; integrity_check ok")
        #expect(daemon.stop() == 0)
    }
}

/// A `KeepAliveLoad` running on a thread of its own, so the test can kill
/// the daemon in the middle of it.
final class DetachedLoad: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var replies: [KeepAliveLoad.Reply] = []

    init(_ bodies: [String], port: UInt16) {
        Thread.detachNewThread { [self] in
            replies = KeepAliveLoad.post(bodies, port: port, connections: 4)
            done.signal()
        }
    }

    func wait() -> [KeepAliveLoad.Reply] {
        done.wait()
        return replies
    }
}
