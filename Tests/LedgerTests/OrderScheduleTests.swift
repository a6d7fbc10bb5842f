import AlipayNotify
import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// The reconciler's schedule in the ledger: what is due is claimed once,
/// with a lease; a payment or an unpaid close ends the schedule; a decision
/// never overrides a payment recorded meanwhile. Each runs on both stores.
@Suite struct OrderScheduleTests {
    func order(_ outTradeNo: String, business: String? = nil, expiresIn: Double = 600) -> MerchantOrder {
        MerchantOrder(outTradeNo: outTradeNo, totalAmount: Fen(1000), businessOrder: business,
                      expiresAt: Timestamp.fromNow(seconds: expiresIn))
    }

    func paid(_ outTradeNo: String, _ id: String) -> LedgerSubmission {
        LedgerFixtures.submission(Notification(notifyID: id, appID: "A", outTradeNo: outTradeNo, tradeStatus: .tradeSuccess, totalAmount: Fen(1000)))
    }

    @Test(arguments: StoreKind.allCases)
    func onlyDueOrdersAreClaimedAndAClaimIsHeldUntilItsLeaseRunsOut(_ kind: StoreKind) throws {
        let store = try TestLedger(kind).store
        try store.addOrder(order("DUE-1"), firstQueryAt: Timestamp.fromNow(seconds: -2))
        try store.addOrder(order("DUE-2"), firstQueryAt: Timestamp.fromNow(seconds: -1))
        try store.addOrder(order("LATER"), firstQueryAt: Timestamp.fromNow(seconds: 60))
        try store.addOrder(order("NEVER"), firstQueryAt: nil)
        let claimed = try store.claimDueOrders(owner: "a", limit: 10, leaseSeconds: 0.3)
        #expect(claimed.map(\.order.outTradeNo) == ["DUE-1", "DUE-2"])
        #expect(claimed.allSatisfy { $0.leaseOwner == "a" && $0.order.state == .open && $0.order.expiresAt != nil })
        #expect(try store.claimDueOrders(owner: "b", limit: 10, leaseSeconds: 60).isEmpty, "held by a")
        usleep(400_000)
        #expect(try store.claimDueOrders(owner: "b", limit: 10, leaseSeconds: 60).map(\.order.outTradeNo) == ["DUE-1", "DUE-2"])
        #expect(try store.releaseOrderClaims(ownerPrefix: "b") == 2)
        #expect(try store.claimDueOrders(owner: "c", limit: 1, leaseSeconds: 60).map(\.order.outTradeNo).count == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func aPaymentEndsTheScheduleAndADecisionMadeMeanwhileDoesNotUndoIt(_ kind: StoreKind) throws {
        let store = try TestLedger(kind).store
        try store.addOrder(order("PAY"), firstQueryAt: Timestamp.fromNow(seconds: -1))
        let claimed = try #require(try store.claimDueOrders(owner: "a", limit: 1, leaseSeconds: 60).first)
        // The notification arrives while the reconciler is asking.
        _ = try store.record([paid("PAY", "n1")])
        var after = try #require(try store.reconciliation("PAY"))
        #expect(after.order.state == .paid && after.nextQueryAt == nil)
        // The reconciler's decision (say, Alipay answered busy) comes too late to matter.
        let call = GatewayCall(id: "gw-1", method: "alipay.trade.query", outTradeNo: "PAY", requestedAt: Timestamp.now(),
                               answeredAt: Timestamp.now(), outcome: .unknown, detail: "busy")
        try store.recordGatewayCall(call, observation: nil, owner: "a") { _ in
            .order(OrderScheduleUpdate(outTradeNo: "PAY", state: .open, nextQueryAt: Timestamp.fromNow(seconds: 1), queries: claimed.queries + 1,
                                unknownSince: Timestamp.now(), closeRequestedAt: nil))
        }
        after = try #require(try store.reconciliation("PAY"))
        #expect(after.order.state == .paid && after.nextQueryAt == nil && after.unknownSince == nil)
        #expect(try store.orders(state: .paid, limit: 10).map(\.outTradeNo) == ["PAY"])
        #expect(try store.orders(state: .open, limit: 10).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func aDecisionIsWrittenOnlyWhileItsOwnerHoldsTheClaim(_ kind: StoreKind) throws {
        let store = try TestLedger(kind).store
        try store.addOrder(order("HELD"), firstQueryAt: Timestamp.fromNow(seconds: -1))
        _ = try store.claimDueOrders(owner: "a", limit: 1, leaseSeconds: 0.1)
        usleep(200_000)
        _ = try store.claimDueOrders(owner: "b", limit: 1, leaseSeconds: 60)
        func decide(_ owner: String, _ state: OrderState) throws {
            let call = GatewayCall(id: "gw-\(owner)", method: "alipay.trade.query", outTradeNo: "HELD", requestedAt: Timestamp.now(),
                                   answeredAt: Timestamp.now(), outcome: .refused, code: "40004", subCode: "ACQ.TRADE_NOT_EXIST")
            try store.recordGatewayCall(call, observation: nil, owner: owner) { _ in
                .order(OrderScheduleUpdate(outTradeNo: "HELD", state: state, nextQueryAt: Timestamp.fromNow(seconds: 30), queries: 1,
                                    unknownSince: nil, closeRequestedAt: nil))
            }
        }
        try decide("a", .expired)
        #expect(try store.reconciliation("HELD")?.order.state == .open, "a's lease ran out: b holds the claim")
        try decide("b", .expired)
        let after = try #require(try store.reconciliation("HELD"))
        #expect(after.order.state == .expired && after.leaseOwner == nil && after.queries == 1)
        #expect(try store.tradeDetails("HELD")?.gatewayCalls.count == 2, "both calls are recorded all the same")
    }

    @Test(arguments: StoreKind.allCases)
    func countsByStateGiveThePaymentSuccessRateAndTheOldestOpenOrder(_ kind: StoreKind) throws {
        let store = try TestLedger(kind).store
        for name in ["P1", "P2", "P3", "OPEN", "OLD-LEGACY"] {
            try store.addOrder(order(name), firstQueryAt: name == "OLD-LEGACY" ? nil : Timestamp.fromNow(seconds: 60))
        }
        _ = try store.record([paid("P1", "1"), paid("P2", "2"), paid("P3", "3")])
        try store.addOrder(order("GONE"), firstQueryAt: Timestamp.fromNow(seconds: -1))
        _ = try store.claimDueOrders(owner: "a", limit: 1, leaseSeconds: 60)
        let call = GatewayCall(id: "gw-gone", method: "alipay.trade.query", outTradeNo: "GONE", requestedAt: Timestamp.now(),
                               answeredAt: Timestamp.now(), outcome: .refused)
        try store.recordGatewayCall(call, observation: nil, owner: "a") { _ in
            .order(OrderScheduleUpdate(outTradeNo: "GONE", state: .expired, nextQueryAt: nil, queries: 1, unknownSince: nil, closeRequestedAt: nil))
        }
        let counts = try store.orderCounts()
        #expect(counts.count(.paid) == 3 && counts.count(.expired) == 1 && counts.count(.open) == 2)
        #expect(counts.paymentSuccessRate == 0.75)
        #expect(counts.oldestOpenCreatedAt == (try store.order("OPEN"))?.createdAt, "an order with no schedule is not counted as waiting")
    }

    @Test func theDueOrdersAreFoundThroughTheirIndexNotAScan() throws {
        let ledger = try TestLedger(.sqlite)
        let sqlite = try #require(ledger.store as? SQLiteLedgerStore)
        let plan = try sqlite.database.rows(
            "EXPLAIN QUERY PLAN " + ReconciliationStatements.due.text, [.text(Timestamp.now()), .integer(10)]) {
                $0.text(3)
            }
        let text = plan.joined(separator: "\n")
        #expect(text.contains("INDEX orders_due") && !text.contains("SCAN"), "\(plan)")
    }
}
