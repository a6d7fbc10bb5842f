import AlipayNotify
@testable import AlipayOpenAPI
import Testing
import TestSupport

/// A verified answer decides only the request it answers: one that names
/// another order, or another refund request, is unknown whatever it says.
@Suite struct AnswerSubjectTests {
    func paidQuery() throws -> (outcome: GatewayOutcome, outTradeNo: String) {
        let outcome = GatewayAnswerCase.named("query_paid_sign_before_node").classify()
        guard case .success(let success) = outcome else { throw TestError("not a success: \(outcome)") }
        return (outcome, try #require(success.fields.nonEmptyString("out_trade_no")))
    }

    @Test func aQueryAnswerAboutTheOrderAskedStandsAsItIs() throws {
        let (outcome, outTradeNo) = try paidQuery()
        #expect(outcome.answering(.tradeQuery(outTradeNo: outTradeNo)).code == "success")
    }

    @Test func aQueryAnswerAboutAnotherOrderIsUnknownAndSaysWhichOrderItNamed() throws {
        let (outcome, outTradeNo) = try paidQuery()
        let checked = outcome.answering(.tradeQuery(outTradeNo: "ASKED-1"))
        #expect(checked.code == "unknown.another_request")
        #expect("\(checked)".contains("out_trade_no \(outTradeNo), but the request asked about ASKED-1"), "\(checked)")
    }

    @Test func anAnswerToAnotherMethodIsUnknown() throws {
        let (outcome, outTradeNo) = try paidQuery()
        #expect(outcome.answering(.tradeClose(outTradeNo: outTradeNo)).code == "unknown.another_request")
    }

    @Test func aRefundQueryNamingAnotherRefundRequestIsUnknown() throws {
        let (outcome, outTradeNo) = try paidQuery()
        // The same node read as a refund query's: out_trade_no agrees, out_request_no is absent (allowed).
        guard case .success(let success) = outcome else { return }
        let asRefundQuery = GatewayOutcome.success(GatewaySuccess(method: .refundQuery, fields: success.fields, signedContent: success.signedContent,
                                                                  keyIndex: 0, alipayCertSN: nil))
        #expect(asRefundQuery.answering(.refundQuery(outTradeNo: outTradeNo, outRequestNo: "R-1")).code == "success",
                "a refund query's answer without out_request_no (no such refund yet) is still an answer")
        let named = try ResponseNodeFields(nodeText: Array(#"{"code":"10000","out_trade_no":"\#(outTradeNo)","out_request_no":"R-2"}"#.utf8))
        let other = GatewayOutcome.success(GatewaySuccess(method: .refundQuery, fields: named, signedContent: [], keyIndex: 0, alipayCertSN: nil))
        #expect(other.answering(.refundQuery(outTradeNo: outTradeNo, outRequestNo: "R-1")).code == "unknown.another_request")
        #expect(other.answering(.refundQuery(outTradeNo: outTradeNo, outRequestNo: "R-2")).code == "success")
    }

    @Test func refusalsAndUnknownsAreLeftAsTheyAre() {
        var seen = 0
        for answer in GatewayAnswerCase.all {
            let outcome = answer.classify()
            if case .success = outcome { continue }
            seen += 1
            #expect(outcome.answering(.tradeQuery(outTradeNo: "ELSE")).code == outcome.code, "\(answer.name)")
        }
        #expect(seen > 10)
    }
}
