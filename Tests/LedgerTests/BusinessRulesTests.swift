import AlipayNotify
@testable import Ledger
import Testing

/// The merchant's checks, the same for a notification and a gateway answer.
@Suite struct BusinessRulesTests {
    let order = MerchantOrder(outTradeNo: "O1", totalAmount: Fen(8888))

    func observation(_ source: ObservationSource = .notification(notifyID: "N1"), appID: String? = "A", sellerID: String? = "2088S",
                     amount: Int64 = 8888) -> TradeObservation {
        TradeObservation(source: source, appID: appID, sellerID: sellerID, outTradeNo: "O1", tradeStatus: .tradeSuccess,
                         totalAmount: Fen(amount))
    }

    @Test func anObservationForOurAppSellerOrderAndAmountPasses() {
        let rules = BusinessRules(appIDs: ["A"], sellerID: "2088S")
        #expect(rules.check(observation(), against: order) == nil)
    }

    @Test func anotherAppIsRefused() {
        #expect(BusinessRules(appIDs: ["B"]).check(observation(), against: order) == .appIDMismatch(received: "A"))
    }

    @Test func anotherSellerIsRefusedAndANotificationWithoutSellerIsToo() {
        let rules = BusinessRules(appIDs: ["A"], sellerID: "2088S")
        #expect(rules.check(observation(sellerID: "2088X"), against: order) == .sellerIDMismatch(received: "2088X", expected: "2088S"))
        #expect(rules.check(observation(sellerID: nil), against: order) == .sellerIDMismatch(received: "(none)", expected: "2088S"))
    }

    @Test func aGatewayAnswerNeedsNeitherAppIDNorSellerIDButMayNotNameAnotherSeller() {
        let rules = BusinessRules(appIDs: ["A"], sellerID: "2088S")
        let answer = observation(.gatewayAnswer(id: "q1"), appID: nil, sellerID: nil)
        #expect(rules.check(answer, against: order) == nil)
        #expect(rules.check(observation(.gatewayAnswer(id: "q1"), appID: nil, sellerID: "2088X"), against: order) != nil)
    }

    @Test func anUnknownOrderIsRefusedUnlessAccepted() {
        #expect(BusinessRules(appIDs: ["A"]).check(observation(), against: nil) == .unknownOrder(outTradeNo: "O1"))
        #expect(BusinessRules(appIDs: ["A"], acceptsUnknownOrders: true).check(observation(), against: nil) == nil)
    }

    @Test func anAmountOneFenOffIsRefusedWhateverTheSource() {
        let rules = BusinessRules(appIDs: ["A"])
        for source in [ObservationSource.notification(notifyID: "N1"), .gatewayAnswer(id: "q1")] {
            #expect(rules.check(observation(source, amount: 8887), against: order)
                    == .amountMismatch(outTradeNo: "O1", expected: Fen(8888), received: Fen(8887)))
        }
    }
}
