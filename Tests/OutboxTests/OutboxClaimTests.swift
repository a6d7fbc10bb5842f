import AlipayNotify
import Foundation
import Ledger
import Testing
import TestSupport

/// The claim rules every consumer relies on: in order per trade, never the
/// same event to two claimers at once, and a lapsed lease frees an event.
@Suite struct OutboxClaimTests {
    func store() throws -> (SQLiteLedgerStore, TemporaryDirectory) {
        let directory = TemporaryDirectory("claims")
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"))
        let policy = LedgerPolicy(acceptsUnknownOrders: true)
        func paid(_ trade: String, _ id: String, refund: Int64? = nil) -> LedgerSubmission {
            .notification(AcceptedNotification(notification: Notification(
                notifyID: id, appID: "A", outTradeNo: trade, tradeStatus: .tradeSuccess, totalAmount: Fen(10000),
                refundFee: refund.map(Fen.init)), rawBody: []))
        }
        _ = try store.record([paid("A", "1"), paid("B", "2"), paid("A", "3", refund: 100), paid("C", "4")], policy: policy)
        return (store, directory)
    }

    @Test func onlyTheFirstUndeliveredEventOfATradeIsClaimable() throws {
        let (store, _) = try store()
        let first = try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60).map(\.id)
        #expect(first == ["A/ship", "B/ship", "C/ship"])
        #expect(try store.claimEvents(owner: "y", limit: 10, leaseSeconds: 60).isEmpty) // all leased or held back
        #expect(try store.markDelivered("A/ship", owner: "x"))
        #expect(try store.claimEvents(owner: "y", limit: 10, leaseSeconds: 60).map(\.id) == ["A/refund/100"])
    }

    @Test func aLapsedLeaseMakesTheEventClaimableAgain() throws {
        let (store, _) = try store()
        #expect(try store.claimEvents(owner: "x", limit: 1, leaseSeconds: 0.2).map(\.id) == ["A/ship"])
        usleep(300_000)
        let again = try store.claimEvents(owner: "y", limit: 1, leaseSeconds: 60)
        #expect(again.map(\.id) == ["A/ship"])
        #expect(again.first?.leaseOwner == "y")
        // The first claimer's late outcome no longer counts.
        #expect(try !store.markDelivered("A/ship", owner: "x"))
        #expect(try store.markDelivered("A/ship", owner: "y"))
    }

    @Test func aDeadEventHoldsBackTheLaterEventsOfItsTrade() throws {
        let (store, _) = try store()
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

    @Test func aFailedAttemptWaitsUntilItsRetryTime() throws {
        let (store, _) = try store()
        _ = try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60)
        #expect(try store.markFailed("B/ship", owner: "x", error: "503", retryAt: Timestamp.fromNow(seconds: 0.3)))
        #expect(try store.releaseLeases(ownerPrefix: "x") == 2)
        #expect(try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60).map(\.id) == ["A/ship", "C/ship"])
        usleep(400_000)
        #expect(try store.claimEvents(owner: "x", limit: 10, leaseSeconds: 60).map(\.id) == ["B/ship"])
        #expect(try store.event("B/ship")?.attempts == 1)
    }

    @Test func theBacklogCountsPendingAndDead() throws {
        let (store, _) = try store()
        let backlog = try store.outboxBacklog()
        #expect(backlog.pending == 4)
        #expect(backlog.dead == 0)
        #expect(backlog.oldestPendingCreatedAt != nil)
    }
}
