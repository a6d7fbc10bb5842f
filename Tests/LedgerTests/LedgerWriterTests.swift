import AlipayNotify
import Dispatch
import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Locking
import Logging
import Testing
import TestSupport

@Suite struct LedgerWriterTests {
    let directory = TemporaryDirectory("writer")

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var labels: [String] = []
        private var batches: [Int] = []
        func add(_ label: String) { lock.withLock { labels.append(label) } }
        func addBatch(_ size: Int) { lock.withLock { batches.append(size) } }
        var all: [String] { lock.withLock { labels } }
        var batchSizes: [Int] { lock.withLock { batches } }
    }

    @Test(arguments: StoreKind.allCases)
    func sixtyFourConcurrentCopiesOfOnePaidNotificationShipOnce(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        let collected = Collected()
        // Through the writer's thread (a blocked submitter would otherwise commit on its own).
        let writer = LedgerWriter(store: ledger.store, logger: Logger(label: #function), commitsOnIdleCaller: false,
                                  onBatch: { collected.addBatch($0.size) })
        let group = DispatchGroup()
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            group.enter()
            // Half are byte-identical retries, half new notify_ids for the same paid trade.
            writer.submit(LedgerFixtures.paid("O1", id: index % 2 == 0 ? "N-same" : "N-\(index)")) { outcome in
                collected.add(outcome.label)
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        writer.shutdown()
        #expect(collected.all.count == 64)
        #expect(collected.all.filter { $0 == "ship" }.count == 1)
        #expect(collected.all.allSatisfy { ["ship", "recorded", "duplicate"].contains($0) })
        #expect(try ledger.count("SELECT count(*) FROM shipments") == 1)
        #expect(try ledger.count("SELECT count(*) FROM events WHERE kind = 'ship'") == 1)
        #expect(try ledger.count("SELECT count(*) FROM notifications") == 33)
        // Group commit: concurrent submissions shared transactions.
        #expect(collected.batchSizes.reduce(0, +) == 64)
        #expect(collected.batchSizes.count < 64)
    }

    /// Three daemons on one PostgreSQL ledger, each with its own writer and
    /// connection, receive notifications of the same trades at the same
    /// moment: payment serials of one business order, a payment and its
    /// re-sent copy under a new notify_id, refunds. The database alone
    /// keeps exactly-once, and what each daemon was told agrees with it.
    @Test func threeWritersOnOnePostgreSQLLedgerShipEachTradeOnce() throws {
        let ledger = try TestLedger(.postgres)
        var orders: [(String, Int64, String?)] = (0..<40).map { ("O\($0)", 10000, nil) }
        orders += [("S1", 5000, "B1"), ("S2", 5000, "B1"), ("S3", 5000, "B1")]
        try ledger.addOrders(orders)
        // For every trade: its payment, a retry of it under a new notify_id, and a partial refund.
        var perTrade: [[LedgerSubmission]] = (0..<40).map { index in
            [LedgerFixtures.paid("O\(index)", id: "N\(index)"), LedgerFixtures.paid("O\(index)", id: "N\(index)-retry"),
             LedgerFixtures.paid("O\(index)", id: "N\(index)-refund", refund: 2500)]
        }
        perTrade.append(["S1", "S2", "S3"].map { LedgerFixtures.paid($0, id: "P-\($0)", total: 5000) })
        let notifications = perTrade.flatMap { $0 }
        let writers = try (0..<3).map { index in
            LedgerWriter(store: try ledger.reopen(), logger: Logger(label: "writer-\(index)"))
        }
        let collected = Collected()
        let group = DispatchGroup()
        let trades = perTrade
        DispatchQueue.concurrentPerform(iterations: writers.count) { index in
            // For every trade, each daemon gets a different one of its
            // notifications at the same moment (as a load balancer spreads
            // them), so they race on the same trade and business order.
            for submission in trades.map({ $0[index] }) {
                group.enter()
                writers[index].submit(submission) { outcome in
                    collected.add(outcome.label)
                    group.leave()
                }
            }
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        writers.forEach { $0.shutdown() }
        #expect(collected.all.count == notifications.count)
        #expect(!collected.all.contains("unavailable"))
        // What each daemon was told (and logs, and counts) agrees with the ledger.
        #expect(collected.all.filter { $0.split(separator: "+").contains("ship") }.count == 41)
        #expect(collected.all.filter { $0.contains("duplicate_payment") }.count == 2)
        #expect(try ledger.count("SELECT count(*) FROM notifications") == Int64(notifications.count))
        #expect(try ledger.count("SELECT count(*) FROM shipments") == 41)
        #expect(try ledger.count("SELECT count(*) FROM events WHERE kind = 'ship'") == 41)
        #expect(try ledger.count("SELECT count(*) FROM events WHERE kind = 'duplicate_payment'") == 2)
        #expect(try ledger.count("SELECT count(*) FROM events WHERE kind = 'refund'") == 40)
        #expect(try ledger.count("SELECT count(DISTINCT out_trade_no) FROM shipments WHERE out_trade_no LIKE 'S%'") == 1)
    }

    /// One writer with three lanes (connections) on a PostgreSQL ledger:
    /// one trade's notifications take one lane, in order; the serials of one
    /// business order spread over lanes and are serialized by the advisory
    /// locks; every lane commits batches.
    @Test func oneWriterWithThreeLanesShipsEachTradeOnceInItsOrder() throws {
        let ledger = try TestLedger(.postgres)
        var orders: [(String, Int64, String?)] = (0..<60).map { ("O\($0)", 10000, nil) }
        orders += (1...6).map { ("S\($0)", 5000, "B1") }
        try ledger.addOrders(orders)
        let lanesUsed = Locked<Set<String>>([])
        let writer = LedgerWriter(store: try ledger.reopen(), additionalStores: [try ledger.reopen(), try ledger.reopen()],
                                  logger: Logger(label: #function), commitsOnIdleCaller: false,
                                  onBatch: { _ in lanesUsed.withLock { _ = $0.insert(Thread.current.name ?? "?") } })
        #expect(writer.laneCount == 3)
        let collected = Collected()
        let group = DispatchGroup()
        var submissions: [LedgerSubmission] = []
        for index in 0..<60 {   // a payment, then its refund: the refund is recorded after the payment only in one lane
            submissions += [LedgerFixtures.paid("O\(index)", id: "N\(index)"),
                            LedgerFixtures.paid("O\(index)", id: "N\(index)-refund", refund: 2500)]
        }
        submissions += (1...6).map { LedgerFixtures.paid("S\($0)", id: "P-S\($0)", total: 5000) }
        #expect(Set(submissions.map(writer.lane(of:))).count == 3)
        for submission in submissions {
            group.enter()
            writer.submit(submission) { outcome in
                collected.add(outcome.label)
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        writer.shutdown()
        #expect(!collected.all.contains("unavailable"))
        #expect(lanesUsed.withLock { $0 } == ["ledger-writer", "ledger-writer1", "ledger-writer2"])
        #expect(try ledger.count("SELECT count(*) FROM shipments") == 61)
        #expect(try ledger.count("SELECT count(*) FROM events WHERE kind = 'refund'") == 60)
        #expect(try ledger.count("SELECT count(*) FROM events WHERE kind = 'duplicate_payment'") == 5)
        #expect(try ledger.count("SELECT count(*) FROM trades WHERE refunded_fen = 2500 AND shipped") == 60)
    }

    @Test(arguments: StoreKind.allCases)
    func completionsComeOnlyAfterTheCommitAndSurviveAReopen(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        let writer = LedgerWriter(store: ledger.store, logger: Logger(label: #function))
        let location = ledger.location
        let done = DispatchSemaphore(value: 0)
        let seen = Collected()
        writer.submit(LedgerFixtures.paid("O1", id: "N1")) { outcome in
            // Another connection sees the row as soon as the completion runs.
            let visible = (try? TestLedger.open(location)).flatMap { try? $0.tradeDetails("O1")?.notifications.count }
            seen.add("\(outcome.label) visible=\(visible ?? -1)")
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(seen.all == ["ship visible=1"])
        writer.shutdown()
    }

    @Test func shutdownRecordsWhatIsQueuedAndRefusesWhatComesAfter() throws {
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"))
        try store.addOrder(MerchantOrder(outTradeNo: "O1", totalAmount: Fen(10000)))
        let writer = LedgerWriter(store: store, logger: Logger(label: #function))
        let collected = Collected()
        for index in 0..<20 {
            writer.submit(LedgerFixtures.paid("O1", id: "N\(index)")) { collected.add($0.label) }
        }
        writer.shutdown()
        #expect(collected.all.count == 20)
        #expect(collected.all.allSatisfy { $0 != "unavailable" })
        writer.submit(LedgerFixtures.paid("O1", id: "late")) { collected.add($0.label) }
        #expect(collected.all.last == "unavailable")
    }
}
