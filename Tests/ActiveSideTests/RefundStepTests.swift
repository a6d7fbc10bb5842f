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

/// A refund's success is recorded with what it did to the trade (its
/// refunded total and refund event), or not at all.
@Suite struct RefundRecordingTests {
    @Test func aRefundAnswerWhoseTradeCannotBeReadIsNotRecordedAsASuccessWithoutItsObservation() throws {
        let bench = try ActiveSideBench()
        try bench.order("R-READ", 4000)
        bench.alipay.pay("R-READ", 4000)
        #expect(bench.reconciliation.run(try bench.reconciliation("R-READ"), owner: nil).finding == .paid)
        let database = bench.directory.file("ledger.db")
        // While Alipay refunds, an operator's sqlite3 moves the orders table away: the step cannot read the amount.
        bench.alipay.beforeAnswering(.tradeRefund) {
            _ = try? ChildProcess.run("sqlite3", [database, "ALTER TABLE orders RENAME TO orders_away"])
        }
        let refunds = OperatorRefunds(writer: bench.writer, step: bench.refunds, owner: "test", logger: bench.logger)
        guard case .request(let request, new: true) = refunds.refund(outTradeNo: "R-READ", amount: Fen(1000), reason: "r", requestNo: "R-1") else {
            Issue.record("the refund was not recorded")
            return
        }
        _ = try ChildProcess.run("sqlite3", [database, "ALTER TABLE orders_away RENAME TO orders"])
        #expect(request.state == .pending, "not a success without its observation")
        let stored = try #require(try bench.writer.performAndWait { store in try store.refundRequest(outTradeNo: "R-READ", requestNo: "R-1") })
        #expect(stored.state == .pending)
        #expect(try bench.details("R-READ")?.events.map(\.id) == ["R-READ/ship"])
        #expect(bench.alipay.book.trade("R-READ")?.refundedTotal == Fen(1000), "Alipay did refund: the next attempt with R-1 learns it")
    }
}

/// `refund retry` reports the request as the ledger holds it after the
/// retry was recorded, never a copy made up on the side.
@Suite struct RefundRetryTests {
    @Test func aRetryAnswersTheRequestAsTheLedgerHoldsItAndRefusesAFinalOne() throws {
        let bench = try ActiveSideBench()
        try bench.order("R-RETRY", 2000)
        bench.alipay.pay("R-RETRY", 2000)
        #expect(bench.reconciliation.run(try bench.reconciliation("R-RETRY"), owner: nil).finding == .paid)
        bench.alipay.timeOut(.tradeRefund, times: 1)
        let refunds = OperatorRefunds(writer: bench.writer, step: bench.refunds, owner: "test", logger: bench.logger)
        guard case .request(let first, new: true) = refunds.refund(outTradeNo: "R-RETRY", amount: Fen(500), reason: "r", requestNo: "R-1") else {
            Issue.record("the refund was not recorded")
            return
        }
        #expect(first.state == .pending)
        guard case .request(let retried, new: false) = refunds.retry(requestNo: "R-1", outTradeNo: nil) else {
            Issue.record("the retry was refused")
            return
        }
        let stored = try #require(try bench.writer.performAndWait { store in try store.refundRequest(outTradeNo: "R-RETRY", requestNo: "R-1") })
        #expect(retried == stored)
        #expect(retried.state == .pending)
        // Sent again, it succeeds; a retry of the final answer is refused and sends nothing.
        _ = refunds.awaitOutcome(retried, seconds: 5)
        guard case .refused(let why) = refunds.retry(requestNo: "R-1", outTradeNo: nil) else {
            Issue.record("a final refund was made due again")
            return
        }
        #expect(why.contains("succeeded"))
        #expect(bench.alipay.calls(.tradeRefund, "R-RETRY") == 1)
    }
}
