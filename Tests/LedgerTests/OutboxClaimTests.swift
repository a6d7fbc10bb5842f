import AlipayNotify
import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// The claim rules every consumer relies on: in order per trade, never the
/// same event to two claimers at once, and a lapsed lease frees an event.
/// Each runs on SQLite and on PostgreSQL.
@Suite struct OutboxClaimTests {
    func ledger(_ kind: StoreKind) throws -> TestLedger {
        let ledger = try TestLedger(kind)
        func paid(_ trade: String, _ id: String, refund: Int64? = nil) -> LedgerSubmission {
            LedgerFixtures.submission(Notification(
                notifyID: id, appID: "A", outTradeNo: trade, tradeStatus: .tradeSuccess, totalAmount: Fen(10000),
                refundFee: refund.map(Fen.init)), unregistered: true)
        }
        _ = try ledger.store.record([paid("A", "1"), paid("B", "2"), paid("A", "3", refund: 100), paid("C", "4")])
        return ledger
    }

    @Test(arguments: StoreKind.allCases)
    func onlyTheFirstUndeliveredEventOfATradeIsClaimable(_ kind: StoreKind) throws {
        let store = try ledger(kind).store
        let first = try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60).map(\.id)
        #expect(first == ["A/ship", "B/ship", "C/ship"])
        #expect(try store.claimEvents(owner: "y", limit: 10, leaseSeconds: 60).isEmpty) // all leased or held back
        #expect(try store.markDelivered("A/ship", owner: "x"))
        #expect(try store.claimEvents(owner: "y", limit: 10, leaseSeconds: 60).map(\.id) == ["A/refund/100"])
    }

    @Test(arguments: StoreKind.allCases)
    func aLapsedLeaseMakesTheEventClaimableAgain(_ kind: StoreKind) throws {
        let store = try ledger(kind).store
        #expect(try store.claimEvents(owner: "x", limit: 1, leaseSeconds: 0.2).map(\.id) == ["A/ship"])
        usleep(300_000)
        let again = try store.claimEvents(owner: "y", limit: 1, leaseSeconds: 60)
        #expect(again.map(\.id) == ["A/ship"])
        #expect(again.first?.leaseOwner == "y")
        // The first claimer's late outcome no longer counts.
        #expect(try !store.markDelivered("A/ship", owner: "x"))
        #expect(try store.markDelivered("A/ship", owner: "y"))
    }

    @Test(arguments: StoreKind.allCases)
    func aDeadEventHoldsBackTheLaterEventsOfItsTrade(_ kind: StoreKind) throws {
        let store = try ledger(kind).store
        _ = try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60)
        #expect(try store.markFailed("A/ship", owner: "x", error: "gone", retryAt: nil))
        #expect(try store.event("A/ship")?.state == .dead)
        #expect(try store.markDelivered("B/ship", owner: "x"))
        #expect(try store.markDelivered("C/ship", owner: "x"))
        #expect(try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60).isEmpty) // A/refund waits for A/ship
        #expect(try store.redeliver("A/ship") == .redelivered)
        #expect(try store.redeliver("A/ship") == .notDead(.pending))
        #expect(try store.redeliver("nope") == .notFound)
        #expect(try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60).map(\.id) == ["A/ship"])
    }

    @Test(arguments: StoreKind.allCases)
    func aFailedAttemptWaitsUntilItsRetryTime(_ kind: StoreKind) throws {
        let store = try ledger(kind).store
        _ = try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60)
        #expect(try store.markFailed("B/ship", owner: "x", error: "503", retryAt: Timestamp.fromNow(seconds: 0.3)))
        #expect(try store.releaseLeases(ownerPrefix: "x") == 2)
        #expect(try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60).map(\.id) == ["A/ship", "C/ship"])
        usleep(400_000)
        #expect(try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60).map(\.id) == ["B/ship"])
        #expect(try store.event("B/ship")?.attempts == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func theBacklogCountsPendingAndDead(_ kind: StoreKind) throws {
        let store = try ledger(kind).store
        let backlog = try store.outboxBacklog()
        #expect(backlog.pending == 4)
        #expect(backlog.dead == 0)
        #expect(backlog.oldestPendingCreatedAt != nil)
    }

    /// Four daemons (four connections) claiming the same outbox at once:
    /// every event goes to exactly one of them while its lease holds.
    @Test(arguments: StoreKind.allCases)
    func concurrentClaimersNeverShareAnEvent(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let submissions: [LedgerSubmission] = (0..<200).map { index in
            LedgerFixtures.submission(Notification(
                notifyID: "N\(index)", appID: "A", outTradeNo: "T\(index)", tradeStatus: .tradeSuccess, totalAmount: Fen(100)),
                unregistered: true)
        }
        _ = try ledger.store.record(submissions)
        let claimers = try (0..<4).map { _ in UncheckedSendable(try ledger.reopen()) }
        let claimed = Claimed()
        // One thread per claimer (concurrentPerform would run only as many
        // at once as there are cores), each delivering for a moment between
        // claims as a daemon does, so that all four really compete.
        let done = DispatchGroup()
        for index in claimers.indices {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                while true {
                    guard let batch = try? claimers[index].value.claimEvents(owner: "daemon-\(index)", limit: 7, leaseSeconds: 120),
                          !batch.isEmpty else { break }
                    claimed.add(batch.map(\.id), by: index)
                    usleep(2_000)
                }
            }
        }
        done.wait()
        #expect(claimed.ids.count == 200)
        #expect(Set(claimed.ids).count == 200)
        #expect(claimed.claimers.count > 1 || kind == .sqlite) // PostgreSQL really shared the work
    }

    final class Claimed: @unchecked Sendable {
        private let lock = NSLock()
        private var all: [String] = []
        private var by: Set<Int> = []
        func add(_ ids: [String], by claimer: Int) { lock.withLock { all += ids; by.insert(claimer) } }
        var ids: [String] { lock.withLock { all } }
        var claimers: Set<Int> { lock.withLock { by } }
    }
}
