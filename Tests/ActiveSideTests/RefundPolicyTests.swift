@testable import ActiveSide
import AlipayNotify
import Foundation
import Ledger
import Testing

/// Every rule of the refunder, without a socket or a database: an unknown
/// answer is never a success or a failure.
@Suite struct RefundPolicyTests {
    var policy: RefundPolicy {
        var policy = RefundPolicy()
        policy.attentionAfter = .seconds(60)
        policy.queryPause = .seconds(10)
        return policy
    }

    let now = 1_800_000_000.0

    func request(state: RefundState = .pending, nextCall: RefundCall = .refund, unknownFor: Double? = nil, sentAgo: Double? = nil) -> RefundRequest {
        RefundRequest(outTradeNo: "T1", requestNo: "R1", amount: Fen(500), reason: "r", origin: .operator, state: state, nextCall: nextCall,
                      unknownSince: unknownFor.map { Timestamp.of(epochSeconds: now - $0) },
                      sentAt: sentAgo.map { Timestamp.of(epochSeconds: now - $0) })
    }

    func decide(_ request: RefundRequest, _ call: RefundCall, _ finding: RefundPolicy.Finding) -> (update: RefundUpdate, followUp: RefundCall?) {
        policy.decide(request, call: call, finding: finding, now: now, owner: "me", holdFor: 20)
    }

    func seconds(_ text: String?) -> Double? {
        text.flatMap(Timestamp.epochSeconds).map { ($0 - now).rounded() }
    }

    @Test func moneyMovedOrConfirmedIsSucceededAndFinal() {
        for (call, finding) in [(RefundCall.refund, RefundPolicy.Finding.moved), (.query, .confirmed)] {
            let decided = decide(request(), call, finding)
            #expect(decided.update.state == .succeeded && decided.update.nextAttemptAt == nil && decided.followUp == nil)
        }
    }

    @Test func fundChangeNIsConfirmedByTheQueryAfterThePauseNotTakenAsSuccess() {
        let decided = decide(request(), .refund, .notMovedNow)
        #expect(decided.update.state == .pending && decided.update.nextCall == .query)
        #expect(seconds(decided.update.nextAttemptAt) == 10)
    }

    @Test func aQueryThatFindsNoRefundSendsTheSameRequestAtOnce() {
        let decided = decide(request(nextCall: .query, sentAgo: 30), .query, .notYet)
        #expect(decided.followUp == .refund && decided.update.nextCall == .refund && decided.update.holder == "me")
        #expect(decided.update.state == .pending)
    }

    @Test func aFinalRefusalIsFailedWithItsSubCode() {
        let decided = decide(request(), .refund, .refused(subCode: "ACQ.TRADE_NOT_ALLOW_REFUND", detail: "refused"))
        #expect(decided.update.state == .failed && decided.update.subCode == "ACQ.TRADE_NOT_ALLOW_REFUND" && decided.update.nextAttemptAt == nil)
    }

    @Test func unknownIsRetriedWithTheSameCallThenHandedToAPersonNeverConcluded() {
        let first = decide(request(), .refund, .unknown("timeout"))
        #expect(first.update.state == .pending && first.update.nextCall == .refund && seconds(first.update.nextAttemptAt) == 1)
        let query = decide(request(nextCall: .query, unknownFor: 4, sentAgo: 5), .query, .unknown("busy"))
        #expect(query.update.nextCall == .query && seconds(query.update.nextAttemptAt) == 5, "no sooner than the pause after the refund call")
        let late = decide(request(unknownFor: 60, sentAgo: 1), .refund, .unknown("busy"))
        #expect(late.update.state == .attention && late.update.nextCall == .refund && seconds(late.update.nextAttemptAt) == 300)
        for finding in [RefundPolicy.Finding.unknown("unsigned"), .unknown("forged")] {
            #expect(decide(request(state: .attention, unknownFor: 600), .refund, finding).update.state == .attention)
        }
    }

    @Test func aDuplicatePaymentsRequestNumberIsStableAndFitsAlipaysLimit() {
        #expect(RefundRequest.duplicatePaymentRequestNo("SERIAL-2") == "dup-SERIAL-2")
        let long = String(repeating: "x", count: 64)
        let number = RefundRequest.duplicatePaymentRequestNo(long)
        #expect(number.utf8.count <= 64 && number == RefundRequest.duplicatePaymentRequestNo(long))
    }
}
