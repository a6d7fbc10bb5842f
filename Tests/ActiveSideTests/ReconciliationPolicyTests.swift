@testable import ActiveSide
import AlipayNotify
import Foundation
import Ledger
import Testing

/// Every rule of the reconciler's schedule, without a socket or a database.
@Suite struct ReconciliationPolicyTests {
    var policy: ReconciliationPolicy {
        var policy = ReconciliationPolicy()
        policy.reconcileAfter = .seconds(300)
        policy.attentionAfter = .seconds(60)
        return policy
    }

    let now = 1_800_000_000.0

    func order(state: OrderState = .open, expiresIn: Double = 1800, queries: Int = 0, unknownFor: Double? = nil,
               closeRequested: Bool = false) -> OrderReconciliation {
        OrderReconciliation(
            order: MerchantOrder(outTradeNo: "O1", totalAmount: Fen(100), createdAt: Timestamp.of(epochSeconds: now - 300),
                                 expiresAt: Timestamp.of(epochSeconds: now + expiresIn), state: state),
            nextQueryAt: Timestamp.of(epochSeconds: now), queries: queries,
            unknownSince: unknownFor.map { Timestamp.of(epochSeconds: now - $0) },
            closeRequestedAt: closeRequested ? Timestamp.of(epochSeconds: now - 1) : nil, leaseOwner: "me")
    }

    func decide(_ order: OrderReconciliation, _ finding: ReconciliationPolicy.Finding,
                method: ReconciliationPolicy.CallKind = .query) -> (update: OrderScheduleUpdate, followUp: ReconciliationPolicy.FollowUp?) {
        policy.decide(order, method: method, finding: finding, now: now, owner: "me", holdFor: 40)
    }

    func seconds(_ text: String?) -> Double? {
        text.flatMap(Timestamp.epochSeconds).map { ($0 - now).rounded() }
    }

    @Test func theFirstQueryComesReconcileAfterTheRegistrationOrAtTheExpiryIfThatIsSooner() {
        #expect(policy.firstQuery(createdAt: now, expiresAt: now + 1800) == now + 300)
        #expect(policy.firstQuery(createdAt: now, expiresAt: now + 120) == now + 120)
    }

    @Test func theScheduleGrowsAndIsCappedAndNeverPassesTheExpiry() {
        #expect((1...6).map { policy.interval(afterQueries: $0) } == [300, 600, 1200, 1800, 1800, 1800])
        let waiting = decide(order(queries: 2), .waiting)
        #expect(waiting.followUp == nil && waiting.update.state == .open && waiting.update.queries == 3)
        #expect(seconds(waiting.update.nextQueryAt) == 1200)
        let nearExpiry = decide(order(expiresIn: 100, queries: 1), .noSuchTrade)
        #expect(seconds(nearExpiry.update.nextQueryAt) == 100, "the last query comes at the expiry")
    }

    @Test func aPaymentOrAnUnpaidCloseEndsTheSchedule() {
        for (finding, state) in [(ReconciliationPolicy.Finding.paid, OrderState.paid), (.closed(paid: false), .closed), (.closed(paid: true), .paid)] {
            let decided = decide(order(closeRequested: true), finding)
            #expect(decided.update.state == state && decided.update.nextQueryAt == nil && decided.update.closeRequestedAt == nil)
            #expect(decided.followUp == nil)
        }
    }

    @Test func atTheExpiryAWaitingTradeIsClosedAndTheCloseIsRecordedFirst() {
        let decided = decide(order(expiresIn: -1), .waiting)
        #expect(decided.followUp == .close)
        #expect(decided.update.closeRequestedAt != nil)
        #expect(decided.update.holder == "me", "the claim is kept for the close")
        #expect(seconds(decided.update.nextQueryAt) == 40, "if the close never reports, the order falls due again")
    }

    @Test func atTheExpiryNoTradeMeansExpiredAndALatePaymentIsLookedForAWhile() {
        let justExpired = decide(order(expiresIn: -1, queries: 1), .noSuchTrade)
        #expect(justExpired.update.state == .expired && justExpired.followUp == nil)
        #expect(justExpired.update.nextQueryAt != nil)
        let longAgo = decide(order(state: .expired, expiresIn: -ReconciliationPolicy.lookingAfterExpiry, queries: 9), .noSuchTrade)
        #expect(longAgo.update.state == .expired && longAgo.update.nextQueryAt == nil, "stops looking")
        let beforeExpiry = decide(order(queries: 1), .noSuchTrade)
        #expect(beforeExpiry.update.state == .open, "before the expiry, no trade proves nothing")
    }

    @Test func aCloseRefusedBecauseTheTradeMovedOnIsFollowedByAQuery() {
        let decided = decide(order(expiresIn: -1, closeRequested: true), .notClosable, method: .close)
        #expect(decided.followUp == .query && decided.update.closeRequestedAt == nil && decided.update.holder == "me")
    }

    @Test func unknownAnswersAreRetriedSoonThenHandedToAPersonAndAskedSlowly() {
        let first = decide(order(), .unknown("busy"))
        #expect(first.update.state == .open && seconds(first.update.unknownSince) == 0 && seconds(first.update.nextQueryAt) == 1)
        let later = decide(order(unknownFor: 8), .unknown("busy"))
        #expect(seconds(later.update.unknownSince) == -8 && seconds(later.update.nextQueryAt) == 8)
        let capped = decide(order(unknownFor: 40), .unknown("busy"))
        #expect(seconds(capped.update.nextQueryAt) == 15, "at most a quarter of attention-after")
        let attention = decide(order(unknownFor: 60), .unknown("busy"))
        #expect(attention.update.state == .attention && seconds(attention.update.nextQueryAt) == 300)
        let closing = decide(order(expiresIn: -1, unknownFor: 5, closeRequested: true), .unknown("timeout"), method: .close)
        #expect(closing.update.closeRequestedAt != nil, "an unknown close is sent again")
        let known = decide(order(state: .attention, queries: 3, unknownFor: 600), .waiting)
        #expect(known.update.state == .open && known.update.unknownSince == nil, "a known answer ends attention")
    }

    @Test func anAnswerTheChecksRefusedIsForAPerson() {
        let decided = decide(order(), .rejected("amount_mismatch"))
        #expect(decided.update.state == .attention && decided.followUp == nil && seconds(decided.update.nextQueryAt) == 300)
    }

    @Test func expiriesAreParsedAndBounded() throws {
        #expect(try OrderExpiry.duration("15m") == .after(seconds: 900))
        #expect(try OrderExpiry.duration("3d") == .after(seconds: 259_200))
        #expect(try OrderExpiry.duration("500ms") == .after(seconds: 0.5))
        for bad in ["", "15", "0s", "16d", "1.5h", "-5m", "forever"] {
            #expect(throws: OrderError.self, "\(bad)") { try OrderExpiry.duration(bad) }
        }
        #expect(try OrderExpiry.time("2026-12-02T10:00:00Z") == .at(epochSeconds: 1_796_205_600))
        #expect(try OrderExpiry.time("2026-12-02T18:00:00+08:00") == .at(epochSeconds: 1_796_205_600))
        #expect(try OrderExpiry.time("2026-12-02 18:00:00") == .at(epochSeconds: 1_796_205_600), "Alipay's form is China time")
        #expect(throws: OrderError.self) { try OrderExpiry.time("tomorrow") }
        #expect(throws: OrderError.self) { try OrderExpiry.at(epochSeconds: 100).moment(registeredAt: 200) }
        let planned = try policy.newOrder(outTradeNo: "N1", amount: Fen(100), businessOrder: nil, expiry: nil)
        let created = try #require(Timestamp.epochSeconds(planned.order.createdAt))
        #expect(Timestamp.epochSeconds(planned.order.expiresAt ?? "").map { ($0 - created).rounded() } == 1800, "order-timeout")
        #expect(Timestamp.epochSeconds(planned.firstQueryAt).map { ($0 - created).rounded() } == 300)
    }

    @Test func aCloseAlipayAnsweredWithAFinalResultIsRecordedAsAnsweredAndNothingElseIs() {
        #expect(decide(order(closeRequested: true), .noSuchTrade, method: .close).update.closeAnsweredAt == Timestamp.of(epochSeconds: now))
        #expect(decide(order(closeRequested: true), .closed(paid: false), method: .close).update.closeAnsweredAt == Timestamp.of(epochSeconds: now))
        #expect(decide(order(), .noSuchTrade).update.closeAnsweredAt == nil, "a query is not a close")
        #expect(decide(order(closeRequested: true), .unknown("busy"), method: .close).update.closeAnsweredAt == nil, "unknown is not an answer")
        #expect(decide(order(closeRequested: true), .notClosable, method: .close).update.closeAnsweredAt == nil)
    }
}
