import AlipayNotify
import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// A business order's claim in the ledger, the rule behind payment serials
/// across daemons: one owner at a time until it lets go or its lease runs
/// out, a serial registered only while its business order is claimed, and
/// each serial read with what was last heard of its trade. On both stores;
/// "another daemon" is another connection to the same ledger.
@Suite struct BusinessOrderClaimTests {
    func serial(_ outTradeNo: String, of businessOrder: String) -> MerchantOrder {
        MerchantOrder(outTradeNo: outTradeNo, totalAmount: Fen(2000), businessOrder: businessOrder, expiresAt: Timestamp.fromNow(seconds: 600))
    }

    @Test(arguments: StoreKind.allCases)
    func aBusinessOrderIsClaimedByOneOwnerUntilItIsLetGoOrItsLeaseRunsOut(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store, other = try ledger.reopen()
        #expect(try store.claimBusinessOrder("BO-1", owner: "a", leaseSeconds: 0.3))
        #expect(try !other.claimBusinessOrder("BO-1", owner: "b", leaseSeconds: 60), "held by a")
        #expect(try other.claimBusinessOrder("BO-2", owner: "b", leaseSeconds: 60), "another business order is not held up")
        #expect(try !other.renewBusinessOrderClaim("BO-1", owner: "b", leaseSeconds: 60), "not b's to renew")
        #expect(try store.renewBusinessOrderClaim("BO-1", owner: "a", leaseSeconds: 60))
        usleep(400_000)
        #expect(try !other.claimBusinessOrder("BO-1", owner: "b", leaseSeconds: 60), "renewed past its first lease")
        #expect(try !other.releaseBusinessOrderClaim("BO-1", owner: "b"), "only the owner lets go")
        #expect(try store.releaseBusinessOrderClaim("BO-1", owner: "a"))
        #expect(try other.claimBusinessOrder("BO-1", owner: "b", leaseSeconds: 0.2))
        usleep(300_000)
        #expect(try store.claimBusinessOrder("BO-1", owner: "c", leaseSeconds: 60), "b's lease ran out")
        #expect(try !other.renewBusinessOrderClaim("BO-1", owner: "b", leaseSeconds: 60), "b lost it to c")
    }

    @Test(arguments: StoreKind.allCases)
    func manyConnectionsClaimingOneBusinessOrderAtOnceGiveItToExactlyOne(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let stores = try (0..<8).map { _ in UncheckedSendable(try ledger.reopen()) }
        for round in 0..<5 {
            let taken = try onThreads(stores.count) { index in
                try stores[index].value.claimBusinessOrder("BO-RACE-\(round)", owner: "owner-\(index)", leaseSeconds: 60)
            }
            #expect(taken.filter { $0 }.count == 1, "round \(round): \(taken)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSerialIsRegisteredOnlyWhileItsBusinessOrderIsClaimedByTheRegistrant(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store, other = try ledger.reopen()
        #expect(try store.addSerial(serial("BO-3-1", of: "BO-3"), firstQueryAt: nil, claimedBy: "a", leaseSeconds: 60) == .claimLost,
                "never claimed")
        #expect(try store.claimBusinessOrder("BO-3", owner: "a", leaseSeconds: 0.2))
        #expect(try other.addSerial(serial("BO-3-1", of: "BO-3"), firstQueryAt: nil, claimedBy: "b", leaseSeconds: 60) == .claimLost)
        #expect(try ledger.count("SELECT count(*) FROM orders") == 0, "nothing written without the claim")
        #expect(try store.addSerial(serial("BO-3-1", of: "BO-3"), firstQueryAt: nil, claimedBy: "a", leaseSeconds: 0.2) == .added)
        #expect(try store.addSerial(serial("BO-3-1", of: "BO-3"), firstQueryAt: nil, claimedBy: "a", leaseSeconds: 0.2) == .taken)
        usleep(300_000)
        #expect(try other.claimBusinessOrder("BO-3", owner: "b", leaseSeconds: 60), "a's lease ran out")
        #expect(try store.addSerial(serial("BO-3-2", of: "BO-3"), firstQueryAt: nil, claimedBy: "a", leaseSeconds: 60) == .claimLost,
                "a lost the claim while it was away: it hands out nothing")
        #expect(try other.addSerial(serial("BO-3-2", of: "BO-3"), firstQueryAt: nil, claimedBy: "b", leaseSeconds: 60) == .added)
        #expect(try store.serials(ofBusinessOrder: "BO-3").serials.map(\.reconciliation.order.outTradeNo) == ["BO-3-1", "BO-3-2"])
    }

    @Test(arguments: StoreKind.allCases)
    func theClaimsOfADaemonsEarlierLifeAreLetGoByItsPrefix(_ kind: StoreKind) throws {
        let store = try TestLedger(kind).store
        #expect(try store.claimBusinessOrder("BO-4", owner: "daemon:host:1/serial-1", leaseSeconds: 60))
        #expect(try store.claimBusinessOrder("BO-5", owner: "cli:host:2/serial-1", leaseSeconds: 60))
        #expect(try store.releaseBusinessOrderClaims(ownerPrefix: "daemon:") == 1)
        #expect(try store.claimBusinessOrder("BO-4", owner: "daemon:host:3/serial-1", leaseSeconds: 60))
        #expect(try !store.claimBusinessOrder("BO-5", owner: "daemon:host:3/serial-2", leaseSeconds: 60), "a command's claim is its own")
    }

    @Test(arguments: StoreKind.allCases)
    func aSerialIsReadWithItsAnsweredCloseAndTheLastObservationOfItsTrade(_ kind: StoreKind) throws {
        let store = try TestLedger(kind).store
        try store.addOrder(serial("BO-6-1", of: "BO-6"), firstQueryAt: Timestamp.fromNow(seconds: 60))
        var read = try #require(try store.serials(ofBusinessOrder: "BO-6").serials.first)
        #expect(read.reconciliation.closeAnsweredAt == nil && read.lastObservedAt == nil)
        // Alipay answers the close: no such trade.
        let answeredAt = Timestamp.now()
        let call = GatewayCall(id: "gw-close", method: "alipay.trade.close", outTradeNo: "BO-6-1", requestedAt: answeredAt,
                               answeredAt: answeredAt, outcome: .refused, subCode: "ACQ.TRADE_NOT_EXIST")
        try store.recordGatewayCall(call, observation: nil, owner: nil) { _ in
            .order(OrderScheduleUpdate(outTradeNo: "BO-6-1", state: .open, nextQueryAt: Timestamp.fromNow(seconds: 60), queries: 0,
                                       unknownSince: nil, closeRequestedAt: nil, closeAnsweredAt: answeredAt))
        }
        read = try #require(try store.serials(ofBusinessOrder: "BO-6").serials.first)
        #expect(read.reconciliation.closeAnsweredAt == answeredAt && read.lastObservedAt == nil)
        // A later decision that says nothing of a close keeps what was answered.
        try store.recordGatewayCall(GatewayCall(id: "gw-query", method: "alipay.trade.query", outTradeNo: "BO-6-1", requestedAt: Timestamp.now(),
                                                answeredAt: Timestamp.now(), outcome: .refused, subCode: "ACQ.TRADE_NOT_EXIST"),
                                    observation: nil, owner: nil) { _ in
            .order(OrderScheduleUpdate(outTradeNo: "BO-6-1", state: .open, nextQueryAt: Timestamp.fromNow(seconds: 60), queries: 1,
                                       unknownSince: nil, closeRequestedAt: nil))
        }
        read = try #require(try store.serials(ofBusinessOrder: "BO-6").serials.first)
        #expect(read.reconciliation.closeAnsweredAt == answeredAt)
        // Then the buyer scans the code: Alipay notifies a waiting trade.
        usleep(2_000)
        _ = try store.record([LedgerFixtures.submission(Notification(notifyID: "wait-1", appID: "A", outTradeNo: "BO-6-1",
                                                                     tradeStatus: .waitBuyerPay, totalAmount: Fen(2000)))])
        read = try #require(try store.serials(ofBusinessOrder: "BO-6").serials.first)
        let observed = try #require(read.lastObservedAt)
        #expect(observed > answeredAt, "\(observed) after \(answeredAt)")
    }
}
