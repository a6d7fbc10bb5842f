import AlipayNotify
import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// Refund requests in the ledger, on both stores: checked before any call,
/// recorded once per request number, claimed by one owner at a time, and
/// a duplicate payment's own request written with the payment that made it.
@Suite struct RefundRequestTests {
    func paidLedger(_ kind: StoreKind, refundsDuplicates: Bool = false) throws -> TestLedger {
        let ledger = try TestLedger(kind)
        try ledger.store.addOrder(MerchantOrder(outTradeNo: "S1", totalAmount: Fen(5000), businessOrder: "B1"))
        try ledger.store.addOrder(MerchantOrder(outTradeNo: "S2", totalAmount: Fen(5000), businessOrder: "B1"))
        var rules = LedgerFixtures.rules(unregistered: false)
        rules.refundsDuplicatePayments = refundsDuplicates
        for (trade, id) in [("S1", "n1"), ("S2", "n2")] {
            let notification = Notification(notifyID: id, appID: "A", outTradeNo: trade, tradeStatus: .tradeSuccess, totalAmount: Fen(5000))
            _ = try ledger.store.record([.observation(AcceptedObservation(observation: notification.observation, rawBody: [], rules: rules))])
        }
        return ledger
    }

    func request(_ trade: String, _ number: String, _ fen: Int64) -> RefundRequest {
        RefundRequest(outTradeNo: trade, requestNo: number, amount: Fen(fen), reason: "r", origin: .operator)
    }

    @Test(arguments: StoreKind.allCases)
    func aRequestIsCheckedAgainstWhatWasPaidAndWhatIsPromisedAlready(_ kind: StoreKind) throws {
        let store = try paidLedger(kind).store
        guard case .recorded(let first) = try store.requestRefund(request("S1", "R1", 3000), owner: nil, leaseSeconds: 0) else {
            Issue.record("not recorded"); return
        }
        #expect(first.state == .pending && first.nextAttemptAt != nil)
        #expect(try store.requestRefund(request("S1", "R1", 3000), owner: nil, leaseSeconds: 0) == .existing(first), "the same request again")
        guard case .refused(let reason) = try store.requestRefund(request("S1", "R2", 2001), owner: nil, leaseSeconds: 0) else {
            Issue.record("more than is left was accepted"); return
        }
        #expect(reason.contains("at most 20.00"))
        if case .recorded = try store.requestRefund(request("S1", "R1", 1000), owner: nil, leaseSeconds: 0) { Issue.record("another amount, same number") }
        if case .recorded = try store.requestRefund(request("NOPE", "R9", 100), owner: nil, leaseSeconds: 0) { Issue.record("an unknown trade") }
        if case .recorded = try store.requestRefund(request("S1", "bad number", 100), owner: nil, leaseSeconds: 0) { Issue.record("a space in request_no") }
        if case .recorded(_) = try store.requestRefund(request("S1", "R2", 2000), owner: nil, leaseSeconds: 0) {} else { Issue.record("the rest") }
        #expect(try store.tradeDetails("S1")?.refunds.map(\.requestNo) == ["R1", "R2"])
    }

    @Test(arguments: StoreKind.allCases)
    func oneOwnerAtATimeAndAFinalAnswerIsNeverOverwritten(_ kind: StoreKind) throws {
        let store = try paidLedger(kind).store
        _ = try store.requestRefund(request("S1", "R1", 1000), owner: nil, leaseSeconds: 0)
        let claimed = try store.claimDueRefunds(owner: "a", limit: 5, leaseSeconds: 60)
        #expect(claimed.map(\.requestNo) == ["R1"])
        #expect(try store.claimDueRefunds(owner: "b", limit: 5, leaseSeconds: 60).isEmpty)
        #expect(try store.beginRefundAttempt(claimed[0], call: .refund, owner: "b") == false, "b does not hold it")
        #expect(try store.beginRefundAttempt(claimed[0], call: .refund, owner: "a"))
        let inFlight = try #require(try store.refundRequest(outTradeNo: "S1", requestNo: "R1"))
        #expect(inFlight.nextCall == .query && inFlight.sentAt != nil && inFlight.attempts == 1,
                "until its answer is recorded, the refund may have reached Alipay")
        let call = GatewayCall(id: "gw-r1", method: "alipay.trade.refund", outTradeNo: "S1", requestedAt: Timestamp.now(),
                               answeredAt: Timestamp.now(), outcome: .succeeded, code: "10000")
        func settle(_ state: RefundState, _ owner: String?) throws {
            try store.recordGatewayCall(call, observation: nil, owner: owner) { _ in
                .refund(RefundUpdate(requestNo: "R1", outTradeNo: "S1", state: state, nextCall: .refund, nextAttemptAt: nil,
                                     unknownSince: nil, lastAnswer: "fund_change=Y"))
            }
        }
        try settle(.succeeded, "a")
        try settle(.pending, nil)
        #expect(try store.refundRequest(outTradeNo: "S1", requestNo: "R1")?.state == .succeeded)
        #expect(try store.retryRefund(outTradeNo: "S1", requestNo: "R1") == false)
        #expect(try store.refundCounts().count(.succeeded) == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func aDuplicatePaymentGetsItsFullRefundRequestInTheSameTransaction(_ kind: StoreKind) throws {
        let store = try paidLedger(kind, refundsDuplicates: true).store
        let refunds = try #require(try store.tradeDetails("S2")).refunds
        #expect(refunds.map(\.requestNo) == ["dup-S2"])
        #expect(refunds.first?.amount == Fen(5000) && refunds.first?.origin == .duplicatePayment && refunds.first?.reason.contains("B1") == true)
        #expect(try store.tradeDetails("S1")?.refunds.isEmpty == true, "the serial that shipped is never touched")
        let off = try paidLedger(kind, refundsDuplicates: false).store
        #expect(try off.tradeDetails("S2")?.refunds.isEmpty == true)
    }
}
