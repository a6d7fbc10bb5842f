import ActiveSide
import AlipayNotify
import AlipayOpenAPI
import AlipaySandbox
import Foundation
import Ledger
import Testing
import TestSupport

/// One claimed order worked on by the reconciler's step, against Alipay in
/// this process: what Alipay answers goes through the checks, the state
/// machine and the ledger like a notification, and unknown decides nothing.
@Suite struct ReconciliationStepTests {
    @Test func aPaymentFoundByAQueryShipsOnceAndEndsTheSchedule() throws {
        let bench = try ActiveSideBench()
        let order = try bench.order("Q-PAID", 1000)
        bench.alipay.pay("Q-PAID", 1000)
        let result = bench.reconciliation.run(try bench.reconciliation("Q-PAID"), owner: nil)
        #expect(result.finding == .paid)
        #expect(result.state == .paid)
        let details = try #require(try bench.details(order.outTradeNo))
        #expect(details.events.map(\.id) == ["Q-PAID/ship"])
        #expect(details.gatewayCalls.map(\.method) == ["alipay.trade.query"])
        #expect(try bench.reconciliation("Q-PAID").nextQueryAt == nil, "a paid order is never asked again")
    }

    @Test func anUnknownAnswerDecidesNothingAndTheOrderIsAskedAgainSoon() throws {
        let bench = try ActiveSideBench()
        try bench.order("Q-UNKNOWN", 1000)
        bench.alipay.pay("Q-UNKNOWN", 1000)
        bench.alipay.timeOut(.tradeQuery, times: 1)
        let result = bench.reconciliation.run(try bench.reconciliation("Q-UNKNOWN"), owner: nil)
        guard case .unknown = result.finding else {
            Issue.record("a timeout decided \(result.finding)")
            return
        }
        let after = try bench.reconciliation("Q-UNKNOWN")
        #expect(after.order.state == .open)
        #expect(after.unknownSince != nil)
        let next = try #require(after.nextQueryAt.flatMap(Timestamp.epochSeconds))
        #expect(next - Timestamp.nowEpochSeconds() < 5, "an unknown result is asked again within seconds")
        #expect(try bench.details("Q-UNKNOWN")?.events.isEmpty == true, "nothing shipped on an unknown result")
        // Asked again, the payment is found.
        #expect(bench.reconciliation.run(after, owner: nil).finding == .paid)
    }

    @Test(arguments: [SandboxFault.busy, .unsigned, .forged, .doubled])
    func anAnswerThatIsBusyOrDoesNotVerifyIsUnknown(_ fault: SandboxFault) throws {
        let bench = try ActiveSideBench()
        try bench.order("Q-FAULT", 1000)
        bench.alipay.pay("Q-FAULT", 1000)
        bench.alipay.fault(fault, .tradeQuery, "Q-FAULT")
        let result = bench.reconciliation.run(try bench.reconciliation("Q-FAULT"), owner: nil)
        guard case .unknown = result.finding else {
            Issue.record("\(fault) decided \(result.finding)")
            return
        }
        #expect(try bench.details("Q-FAULT")?.events.isEmpty == true)
        #expect(try bench.details("Q-FAULT")?.gatewayCalls.first?.outcome == .unknown)
    }

    @Test func aWaitingTradeAtItsExpiryIsClosedAndTheCloseIsRecordedBeforeItIsSent() throws {
        let bench = try ActiveSideBench()
        try bench.order("Q-CLOSE", 1000, expiresIn: -1)
        bench.alipay.book.create("Q-CLOSE", totalAmount: Fen(1000))
        let result = bench.reconciliation.run(try bench.reconciliation("Q-CLOSE"), owner: nil)
        #expect(result.finding == .closed(paid: false))
        #expect(result.state == .closed)
        #expect(bench.alipay.calls(.tradeQuery, "Q-CLOSE") == 1)
        #expect(bench.alipay.calls(.tradeClose, "Q-CLOSE") == 1)
        #expect(bench.alipay.book.trade("Q-CLOSE")?.status == .tradeClosed)
        #expect(try bench.details("Q-CLOSE")?.events.map(\.id) == ["Q-CLOSE/close"])
    }

    @Test func aCloseWhoseResultIsUnknownStaysDecidedAndIsSentAgain() throws {
        let bench = try ActiveSideBench()
        try bench.order("Q-CLOSE-AGAIN", 1000, expiresIn: -1)
        bench.alipay.book.create("Q-CLOSE-AGAIN", totalAmount: Fen(1000))
        bench.alipay.timeOut(.tradeClose, times: 1)
        let first = bench.reconciliation.run(try bench.reconciliation("Q-CLOSE-AGAIN"), owner: nil)
        guard case .unknown = first.finding else {
            Issue.record("a timed-out close decided \(first.finding)")
            return
        }
        let pending = try bench.reconciliation("Q-CLOSE-AGAIN")
        #expect(pending.closeRequestedAt != nil, "the decision to close outlives the unknown answer")
        #expect(bench.reconciliation.run(pending, owner: nil).finding == .closed(paid: false))
        #expect(bench.alipay.calls(.tradeClose, "Q-CLOSE-AGAIN") == 1, "the first close never reached Alipay; the second did")
    }

    @Test func aQueryAnswerWithAnotherAmountIsQuarantinedAndShipsNothing() throws {
        let bench = try ActiveSideBench()
        try bench.order("Q-AMOUNT", 1000)
        bench.alipay.pay("Q-AMOUNT", 1200)
        let result = bench.reconciliation.run(try bench.reconciliation("Q-AMOUNT"), owner: nil)
        guard case .rejected = result.finding else {
            Issue.record("another amount decided \(result.finding)")
            return
        }
        let details = try #require(try bench.details("Q-AMOUNT"))
        #expect(details.events.isEmpty)
        #expect(details.quarantined.count == 1)
    }
}

