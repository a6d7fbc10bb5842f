import AlipayNotify
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// Calls to Alipay's gateway, kept with what they answered, on both stores.
@Suite struct GatewayCallTests {
    static func call(_ id: String, _ outTradeNo: String, outcome: GatewayCall.Outcome, status: String? = nil,
                     subCode: String? = nil) -> GatewayCall {
        GatewayCall(id: id, method: "alipay.trade.query", outTradeNo: outTradeNo, requestedAt: Timestamp.now(), answeredAt: Timestamp.now(),
                    outcome: outcome, code: outcome == .succeeded ? "10000" : "40004", subCode: subCode,
                    detail: subCode.map { "about \($0)" }, tradeStatus: status, rawAnswer: Array("{}".utf8))
    }

    static func paidAnswer(_ id: String, _ outTradeNo: String) -> AcceptedObservation {
        AcceptedObservation(
            observation: TradeObservation(source: .gatewayAnswer(id: id), appID: nil, outTradeNo: outTradeNo, tradeNo: "T",
                                          tradeStatus: .tradeSuccess, totalAmount: Fen(10000)),
            rawBody: Array("{}".utf8), rules: LedgerFixtures.rules())
    }

    @Test(arguments: StoreKind.allCases) func aQueryThatShowsThePaymentShipsWithItsCallInOneTransaction(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        let outcome = try ledger.store.recordGatewayCall(Self.call("q1", "O1", outcome: .succeeded, status: "TRADE_SUCCESS"),
                                                         observation: Self.paidAnswer("q1", "O1"))
        #expect(outcome.map(\.label) == "ship")
        #expect(try ledger.count("SELECT count(*) FROM gateway_calls WHERE id = 'q1' AND outcome = 'succeeded'") == 1)
        #expect(try ledger.count("SELECT count(*) FROM shipments") == 1)
        let details = try #require(try ledger.store.tradeDetails("O1"))
        #expect(details.gatewayCalls.map(\.id) == ["q1"])
        #expect(details.gatewayCalls.first?.tradeStatus == "TRADE_SUCCESS")
    }

    @Test(arguments: StoreKind.allCases) func aQueryThatFindsNoTradeLeavesOnlyTheFactThatItAsked(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        let outcome = try ledger.store.recordGatewayCall(Self.call("q1", "O1", outcome: .refused, subCode: "ACQ.TRADE_NOT_EXIST"),
                                                         observation: nil)
        #expect(outcome == nil)
        #expect(try ledger.count("SELECT count(*) FROM gateway_calls WHERE sub_code = 'ACQ.TRADE_NOT_EXIST'") == 1)
        #expect(try ledger.count("SELECT count(*) FROM trades") == 0)
        #expect(try ledger.count("SELECT count(*) FROM notifications") == 0)
        #expect(try ledger.store.tradeDetails("O1")?.gatewayCalls.map(\.outcome) == [.refused])
    }

    @Test(arguments: StoreKind.allCases) func theSameCallRecordedTwiceIsOneCallAndOneShipment(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        let call = Self.call("q1", "O1", outcome: .succeeded, status: "TRADE_SUCCESS")
        _ = try ledger.store.recordGatewayCall(call, observation: Self.paidAnswer("q1", "O1"))
        let again = try ledger.store.recordGatewayCall(call, observation: Self.paidAnswer("q1", "O1"))
        #expect(again.map(\.label) == "duplicate")
        #expect(try ledger.count("SELECT count(*) FROM gateway_calls") == 1)
        #expect(try ledger.count("SELECT count(*) FROM events") == 1)
    }
}
