import ActiveSide
import AlipayNotify
import AlipayOpenAPI
import AlipaySandbox
import Foundation
import Ledger
import Testing
import TestSupport

/// A signed, true answer about another order than the one asked about
/// decides nothing about the order asked: it is recorded as unknown and the
/// order is asked again.
@Suite struct AnswerSubjectStepTests {
    @Test func aQueryAnsweredWithAnotherOrdersPaymentLeavesTheAskedOrderOpenAndAsksAgain() throws {
        let bench = try ActiveSideBench()
        try bench.order("Q-ASKED", 1000)
        bench.alipay.book.create("Q-ASKED", totalAmount: Fen(1000))
        bench.alipay.pay("Q-OTHER", 1000)
        bench.alipay.fault(.anotherTrade, .tradeQuery, "Q-ASKED", other: ("Q-OTHER", nil))
        let result = bench.reconciliation.run(try bench.reconciliation("Q-ASKED"), owner: nil)
        guard case .unknown(let why) = result.finding else {
            Issue.record("an answer about Q-OTHER decided Q-ASKED: \(result.finding)")
            return
        }
        #expect(why.contains("Q-OTHER"))
        let after = try bench.reconciliation("Q-ASKED")
        #expect(after.order.state == .open)
        let next = try #require(after.nextQueryAt.flatMap(Timestamp.epochSeconds))
        #expect(next - Timestamp.nowEpochSeconds() < 5, "asked again within seconds")
        let call = try #require(try bench.details("Q-ASKED")?.gatewayCalls.first)
        #expect(call.outcome == .unknown)
        #expect(call.detail?.contains("out_trade_no Q-OTHER") == true, "\(call.detail ?? "-")")
        #expect(try bench.details("Q-ASKED")?.events.isEmpty == true, "nothing shipped")
        #expect(try bench.details("Q-OTHER")?.trade == nil, "nor is the other order's fact recorded from an answer to another request")
        // Asked again, the true answer about Q-ASKED decides it.
        #expect(bench.reconciliation.run(after, owner: nil).finding == .waiting)
    }

    @Test func aRefundAnsweredAboutAnotherOrderIsNotTakenForThisRefund() throws {
        let bench = try ActiveSideBench()
        try bench.order("R-ASKED", 3000)
        bench.alipay.pay("R-ASKED", 3000)
        #expect(bench.reconciliation.run(try bench.reconciliation("R-ASKED"), owner: nil).finding == .paid)
        bench.alipay.pay("R-OTHER", 3000)
        bench.alipay.fault(.anotherTrade, .tradeRefund, "R-ASKED", other: ("R-OTHER", nil))
        let refunds = OperatorRefunds(writer: bench.writer, step: bench.refunds, owner: "test", logger: bench.logger)
        guard case .request(let request, new: true) = refunds.refund(outTradeNo: "R-ASKED", amount: Fen(1000), reason: "r", requestNo: "R-1") else {
            Issue.record("the refund was not recorded")
            return
        }
        #expect(request.state == .pending, "a refund answer about R-OTHER is not this refund's success")
        let calls = try #require(try bench.details("R-ASKED")?.gatewayCalls.filter { $0.method == "alipay.trade.refund" })
        #expect(calls.first?.outcome == .unknown)
        #expect(try bench.details("R-ASKED")?.events.map(\.id) == ["R-ASKED/ship"], "no refund event")
    }
}
