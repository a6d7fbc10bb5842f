import AlipayNotify
import Dispatch
import Foundation
@testable import Ledger
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

    @Test func sixtyFourConcurrentCopiesOfOnePaidNotificationShipOnce() throws {
        let path = directory.file("ledger.db")
        let store = try SQLiteLedgerStore(path: path)
        try store.addOrder(MerchantOrder(outTradeNo: "O1", totalAmount: Fen(10000)))
        let collected = Collected()
        let writer = LedgerWriter(store: store, policy: LedgerPolicy(), logger: Logger(label: #function),
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
        let check = try SQLiteLedgerStore(path: path)
        #expect(try LedgerFixtures.count(check, "SELECT count(*) FROM shipments") == 1)
        #expect(try LedgerFixtures.count(check, "SELECT count(*) FROM events WHERE kind = 'ship'") == 1)
        #expect(try LedgerFixtures.count(check, "SELECT count(*) FROM notifications") == 33)
        // Group commit: concurrent submissions shared transactions.
        #expect(collected.batchSizes.reduce(0, +) == 64)
        #expect(collected.batchSizes.count < 64)
    }

    @Test func completionsComeOnlyAfterTheCommitAndSurviveAReopen() throws {
        let path = directory.file("ledger.db")
        let store = try SQLiteLedgerStore(path: path)
        try store.addOrder(MerchantOrder(outTradeNo: "O1", totalAmount: Fen(10000)))
        let writer = LedgerWriter(store: store, policy: LedgerPolicy(), logger: Logger(label: #function))
        let done = DispatchSemaphore(value: 0)
        let seen = Collected()
        writer.submit(LedgerFixtures.paid("O1", id: "N1")) { outcome in
            // Another connection sees the row as soon as the completion runs.
            let visible = (try? SQLiteLedgerStore(path: path)).flatMap { try? LedgerFixtures.count($0, "SELECT count(*) FROM notifications") }
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
        let writer = LedgerWriter(store: store, policy: LedgerPolicy(), logger: Logger(label: #function))
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
