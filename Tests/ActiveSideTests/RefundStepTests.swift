import ActiveSide
import AlipayNotify
import AlipayOpenAPI
import Foundation
import Ledger
import Testing
import TestSupport

/// One refund request worked on by the refunder's step and by an operator,
/// against Alipay in this process: recorded before it is sent, the same
/// out_request_no on every retry, never concluded from an unknown answer.
@Suite struct RefundStepTests {
    /// A paid order at Alipay and in the ledger.
    func paid(_ bench: ActiveSideBench, _ outTradeNo: String, _ fen: Int64) throws {
        try bench.order(outTradeNo, fen)
        bench.alipay.pay(outTradeNo, fen)
        #expect(bench.reconciliation.run(try bench.reconciliation(outTradeNo), owner: nil).finding == .paid)
    }

    @Test func anOperatorRefundMovesTheMoneyOnceHoweverOftenItIsAsked() throws {
        let bench = try ActiveSideBench()
        try paid(bench, "R-OP", 5000)
        let refunds = OperatorRefunds(writer: bench.writer, step: bench.refunds, owner: "test", logger: bench.logger)
        guard case .request(let first, new: true) = refunds.refund(outTradeNo: "R-OP", amount: Fen(2000), reason: "damaged box", requestNo: "R-1") else {
            Issue.record("the refund was not recorded")
            return
        }
        #expect(first.state == .succeeded)
        guard case .request(let again, new: false) = refunds.refund(outTradeNo: "R-OP", amount: Fen(2000), reason: "damaged box", requestNo: "R-1") else {
            Issue.record("the same request_no was not recognised")
            return
        }
        #expect(again.state == .succeeded)
        #expect(bench.alipay.calls(.tradeRefund, "R-OP") == 1)
        #expect(bench.alipay.book.trade("R-OP")?.refundedTotal == Fen(2000))
        #expect(try bench.details("R-OP")?.events.map(\.id) == ["R-OP/ship", "R-OP/refund/2000"])
    }

    @Test func aRefundOfMoreThanWasPaidIsRefusedBeforeAnyCall() throws {
        let bench = try ActiveSideBench()
        try paid(bench, "R-MORE", 1000)
        let refunds = OperatorRefunds(writer: bench.writer, step: bench.refunds, owner: "test", logger: bench.logger)
        guard case .refused = refunds.refund(outTradeNo: "R-MORE", amount: Fen(1001), reason: "too much", requestNo: nil) else {
            Issue.record("a refund of more than was paid was accepted")
            return
        }
        #expect(bench.alipay.calls(.tradeRefund, "R-MORE") == 0)
    }

    @Test func aRefundWhoseResultIsUnknownIsSentAgainWithTheSameRequestNumber() throws {
        let bench = try ActiveSideBench()
        try paid(bench, "R-UNKNOWN", 3000)
        bench.alipay.timeOut(.tradeRefund, times: 1)
        let refunds = OperatorRefunds(writer: bench.writer, step: bench.refunds, owner: "test", logger: bench.logger)
        guard case .request(let first, new: true) = refunds.refund(outTradeNo: "R-UNKNOWN", amount: Fen(3000), reason: "r", requestNo: "R-U") else {
            Issue.record("the refund was not recorded")
            return
        }
        #expect(first.state == .pending, "an unknown result is neither success nor failure")
        #expect(bench.alipay.calls(.tradeRefund, "R-UNKNOWN") == 0, "the timed-out call never reached this Alipay")
        // The refunder takes it again when it is due: the same request, then confirmed.
        let done = refunds.awaitOutcome(first, seconds: 10)
        #expect(done.state == .succeeded)
        #expect(done.requestNo == "R-U")
        #expect(bench.alipay.book.trade("R-UNKNOWN")?.refunds.map(\.outRequestNo) == ["R-U"])
    }

    @Test func aVerifiedRefusalFailsTheRequestWithItsSubCode() throws {
        let bench = try ActiveSideBench()
        try paid(bench, "R-REFUSED", 3000)
        // Alipay has the trade closed: a refund is refused for good.
        bench.alipay.book.update("R-REFUSED") { $0.status = .tradeClosed }
        let refunds = OperatorRefunds(writer: bench.writer, step: bench.refunds, owner: "test", logger: bench.logger)
        guard case .request(let request, new: true) = refunds.refund(outTradeNo: "R-REFUSED", amount: Fen(100), reason: "r", requestNo: "R-X") else {
            Issue.record("the refund was not recorded")
            return
        }
        #expect(request.state == .failed)
        #expect(request.subCode?.hasPrefix("ACQ.") == true)
    }
}
