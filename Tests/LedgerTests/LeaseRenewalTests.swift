import AlipayNotify
import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// A claim renewed while its work goes on stays its owner's past the first
/// lease; a renewal by anyone else, or after the work was decided, changes
/// nothing. For orders, refund requests and events, on both stores.
@Suite struct LeaseRenewalTests {
    @Test(arguments: StoreKind.allCases)
    func aRenewedOrderClaimOutlivesItsFirstLease(_ kind: StoreKind) throws {
        let store = try TestLedger(kind).store
        try store.addOrder(MerchantOrder(outTradeNo: "R1", totalAmount: Fen(1000), expiresAt: Timestamp.fromNow(seconds: 600)),
                           firstQueryAt: Timestamp.fromNow(seconds: -1))
        #expect(try store.claimDueOrders(owner: "a", limit: 1, leaseSeconds: 0.3).count == 1)
        #expect(try store.renewOrderClaims(["R1"], owner: "b", leaseSeconds: 60) == 0, "not b's claim")
        #expect(try store.renewOrderClaims(["R1"], owner: "a", leaseSeconds: 60) == 1)
        usleep(400_000)
        #expect(try store.claimDueOrders(owner: "b", limit: 1, leaseSeconds: 60).isEmpty, "still a's after the first lease")
    }

    @Test(arguments: StoreKind.allCases)
    func aRenewalAfterTheOrderWasPaidChangesNothing(_ kind: StoreKind) throws {
        let store = try TestLedger(kind).store
        try store.addOrder(MerchantOrder(outTradeNo: "R2", totalAmount: Fen(1000), expiresAt: Timestamp.fromNow(seconds: 600)),
                           firstQueryAt: Timestamp.fromNow(seconds: -1))
        _ = try store.claimDueOrders(owner: "a", limit: 1, leaseSeconds: 60)
        _ = try store.record([LedgerFixtures.submission(Notification(notifyID: "n", appID: "A", outTradeNo: "R2",
                                                                     tradeStatus: .tradeSuccess, totalAmount: Fen(1000)))])
        #expect(try store.renewOrderClaims(["R2"], owner: "a", leaseSeconds: 60) == 0)
        #expect(try store.reconciliation("R2")?.nextQueryAt == nil, "a paid order is never asked about again")
    }

    @Test(arguments: StoreKind.allCases)
    func aRenewedEventLeaseOutlivesItsFirstLease(_ kind: StoreKind) throws {
        let store = try TestLedger(kind).store
        _ = try store.record([LedgerFixtures.submission(Notification(notifyID: "n", appID: "A", outTradeNo: "E1",
                                                                     tradeStatus: .tradeSuccess, totalAmount: Fen(1000)), unregistered: true)])
        #expect(try store.claimEvents(owner: "a", limit: 1, leaseSeconds: 0.3).map(\.id) == ["E1/ship"])
        #expect(try store.renewEventLeases(["E1/ship"], owner: "b", leaseSeconds: 60) == 0)
        #expect(try store.renewEventLeases(["E1/ship"], owner: "a", leaseSeconds: 60) == 1)
        usleep(400_000)
        #expect(try store.claimEvents(owner: "b", limit: 1, leaseSeconds: 60).isEmpty)
        #expect(try store.markDelivered("E1/ship", owner: "a"))
        #expect(try store.renewEventLeases(["E1/ship"], owner: "a", leaseSeconds: 60) == 0, "delivered: nothing to renew")
    }

    @Test(arguments: StoreKind.allCases)
    func aRenewedRefundClaimOutlivesItsFirstLease(_ kind: StoreKind) throws {
        let store = try TestLedger(kind).store
        try store.addOrder(MerchantOrder(outTradeNo: "F1", totalAmount: Fen(5000)))
        _ = try store.record([LedgerFixtures.submission(Notification(notifyID: "n", appID: "A", outTradeNo: "F1",
                                                                     tradeStatus: .tradeSuccess, totalAmount: Fen(5000)))])
        let request = RefundRequest(outTradeNo: "F1", requestNo: "R1", amount: Fen(100), reason: "r", origin: .operator)
        guard case .recorded = try store.requestRefund(request, owner: nil, leaseSeconds: 0) else {
            Issue.record("not recorded"); return
        }
        let claimed = try store.claimDueRefunds(owner: "a", limit: 1, leaseSeconds: 0.3)
        #expect(claimed.count == 1)
        #expect(try store.renewRefundClaims(claimed, owner: "b", leaseSeconds: 60) == 0)
        #expect(try store.renewRefundClaims(claimed, owner: "a", leaseSeconds: 60) == 1)
        usleep(400_000)
        #expect(try store.claimDueRefunds(owner: "b", limit: 1, leaseSeconds: 60).isEmpty)
    }
}
