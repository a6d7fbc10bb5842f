import AlipayNotify
import AlipayOpenAPI
import Testing

/// A verified query success becomes the observation the ledger records; a
/// verified answer it cannot read is an error, not a crash or a guess.
@Suite struct TradeQueryObservationTests {
    static let answeredAt = GatewayTimestamp(secondsSince1970: 1_795_140_942)

    func success(_ name: String) throws -> GatewaySuccess {
        let outcome = GatewayAnswerCase.named(name).classify()
        guard case .success(let success) = outcome else { throw TestFailure("\(name): \(outcome)") }
        return success
    }

    @Test func aPaidQueryAnswerBecomesAGatewayObservation() throws {
        let observation = try success("query_paid_sign_after_node").tradeObservation(id: "query-42", statedAt: Self.answeredAt)
        #expect(observation == TradeObservation(
            source: .gatewayAnswer(id: "query-42"), appID: nil, outTradeNo: "6823789339978248",
            tradeNo: "2026112022001404301234567890", tradeStatus: .tradeSuccess, totalAmount: Fen(8888),
            gmtPayment: "2026-11-20 10:15:42", statedAt: "2026-11-20 10:15:42"))
    }

    @Test func anUnpaidTradeHasNoPaymentDate() throws {
        let observation = try success("query_node_with_inner_spaces").tradeObservation(id: "q", statedAt: Self.answeredAt)
        #expect(observation.tradeStatus == .waitBuyerPay)
        #expect(observation.gmtPayment == nil)
        #expect(observation.tradeNo == nil)
    }

    @Test func aMalformedAmountInAVerifiedAnswerIsADistinctError() throws {
        let answer = try success("query_paid_amount_malformed")
        #expect(throws: TradeQueryAnswerError.malformedAmount(field: "total_amount", value: "88.888")) {
            try answer.tradeObservation(id: "q", statedAt: Self.answeredAt)
        }
    }

    @Test func anUnknownTradeStatusInAVerifiedAnswerIsADistinctError() throws {
        let answer = try success("query_unknown_trade_status")
        #expect(throws: TradeQueryAnswerError.unknownTradeStatus("TRADE_PENDING")) {
            try answer.tradeObservation(id: "q", statedAt: Self.answeredAt)
        }
    }

    @Test func aRefundAnswerIsNotATradeObservation() throws {
        let answer = try success("refund_success")
        #expect(throws: TradeQueryAnswerError.notATradeQuery(.tradeRefund)) {
            try answer.tradeObservation(id: "q", statedAt: Self.answeredAt)
        }
        #expect(answer.fields.string("fund_change") == "Y")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
