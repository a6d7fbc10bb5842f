import AlipayNotify
import Testing

@Suite struct TradeStateMachineTests {
    func note(
        _ status: TradeStatus, id: String = "N", trade: String = "O1", total: Int64 = 10000,
        refund: Int64? = nil, paidAt: String? = nil
    ) -> Notification {
        Notification(
            notifyID: id, appID: "A", outTradeNo: trade, tradeNo: "T", tradeStatus: status,
            totalAmount: Fen(total), refundFee: refund.map(Fen.init), gmtPayment: paidAt
        )
    }

    func observe(
        _ status: TradeStatus, id: String = "N", trade: String = "O1", total: Int64 = 10000,
        refund: Int64? = nil, paidAt: String? = nil
    ) -> TradeObservation {
        note(status, id: id, trade: trade, total: total, refund: refund, paidAt: paidAt).observation
    }

    /// Applies notifications in order and collects every event written.
    func run(_ notes: [Notification], payingSerial: String? = nil) -> (TradeRecord?, [PlannedEvent]) {
        var record: TradeRecord?
        var events: [PlannedEvent] = []
        for n in notes {
            let decision = TradeStateMachine.apply(n.observation, to: record, businessOrder: payingSerial.map { BusinessOrderPayment(id: "B1", paidBy: $0) })
            record = decision.trade
            events += decision.events
        }
        return (record, events)
    }

    @Test func firstPaymentShipsOnce() {
        let (record, events) = run([note(.tradeSuccess)])
        #expect(events.map(\.kind) == [.ship])
        #expect(events.first?.id == "O1/ship")
        #expect(events.first?.amount == Fen(10000))
        #expect(record?.shipped == true)
    }

    @Test func finishedThreeMonthsLaterDoesNotShipAgain() {
        let (record, events) = run([note(.tradeSuccess, id: "1"), note(.tradeFinished, id: "2")])
        #expect(events.map(\.kind) == [.ship])
        #expect(record?.status == .tradeFinished)
    }

    @Test func finishedAloneShips() {
        #expect(run([note(.tradeFinished)]).1.map(\.kind) == [.ship])
    }

    @Test func lateSuccessAfterFinishedNeitherShipsNorMovesTheStatusBack() {
        let (record, events) = run([note(.tradeFinished, id: "1"), note(.tradeSuccess, id: "2")])
        #expect(events.map(\.kind) == [.ship])
        #expect(record?.status == .tradeFinished)
    }

    @Test func waitBuyerPayWritesNoEvent() {
        let (record, events) = run([note(.waitBuyerPay)])
        #expect(events.isEmpty)
        #expect(record?.paid == false)
    }

    @Test func partialRefundsProduceOneEventPerGrowthOfTheCumulativeTotal() {
        let (record, events) = run([
            note(.tradeSuccess, id: "1"),
            note(.tradeSuccess, id: "2", refund: 3000),
            note(.tradeSuccess, id: "3", refund: 3000), // same total again: no event
            note(.tradeSuccess, id: "4", refund: 5000),
            note(.tradeClosed, id: "5", refund: 10000),
        ])
        #expect(events.map(\.kind) == [.ship, .refund, .refund, .close])
        #expect(events[1].amount == Fen(3000) && events[1].refundedTotal == Fen(3000))
        #expect(events[2].amount == Fen(2000) && events[2].refundedTotal == Fen(5000))
        #expect(events[1].id != events[2].id)
        #expect(events[3].closeReason == .refunded && events[3].refundedTotal == Fen(10000))
        #expect(record?.closeReason == .refunded)
    }

    @Test func aStaleRefundTotalArrivingLateIsNotARefund() {
        let (_, events) = run([note(.tradeSuccess, id: "1", refund: 5000), note(.tradeSuccess, id: "2", refund: 3000)])
        #expect(events.map(\.kind) == [.ship, .refund])
    }

    @Test func closedWithoutPaymentIsUnpaid() {
        let (record, events) = run([note(.waitBuyerPay, id: "1"), note(.tradeClosed, id: "2")])
        #expect(events.map(\.kind) == [.close])
        #expect(record?.closeReason == .unpaid)
        #expect(record?.shipped == false)
    }

    @Test func closedThatShowsAPaymentIsRefundedEvenIfTheSuccessWasLost() {
        let (record, events) = run([note(.tradeClosed, refund: 10000, paidAt: "2024-01-01 00:00:00")])
        #expect(events.map(\.kind) == [.close])
        #expect(record?.closeReason == .refunded)
        #expect(record?.shipped == false)
    }

    @Test func nothingShipsAfterClose() {
        let (record, events) = run([note(.tradeClosed, id: "1"), note(.tradeSuccess, id: "2"), note(.tradeClosed, id: "3")])
        #expect(events.map(\.kind) == [.close])
        #expect(record?.shipped == false)
        let after = TradeStateMachine.apply(observe(.tradeSuccess, id: "4"), to: record)
        #expect(after.change == .unchangedAfterClose)
    }

    @Test func aSecondPaidSerialOfAPaidBusinessOrderIsADuplicatePayment() {
        let (record, events) = run([note(.tradeSuccess, trade: "O2")], payingSerial: "O1")
        #expect(events.map(\.kind) == [.duplicatePayment])
        #expect(events.first?.id == "O2/duplicate_payment")
        #expect(record?.shipped == false)
        #expect(record?.duplicatePayment == true)
    }

    @Test func theSerialThatPaidTheBusinessOrderStillShips() {
        #expect(run([note(.tradeSuccess, trade: "O1")], payingSerial: "O1").1.map(\.kind) == [.ship])
    }

    @Test func aRepeatedStatusChangesNothing() {
        let first = TradeStateMachine.apply(observe(.tradeSuccess, id: "1"), to: nil)
        let again = TradeStateMachine.apply(observe(.tradeSuccess, id: "2"), to: first.trade)
        #expect(again.change == .unchanged)
        #expect(again.events.isEmpty)
    }

    @Test func theFirstSerialToPayABusinessOrderClaimsIt() {
        let decision = TradeStateMachine.apply(observe(.tradeSuccess, trade: "O1"), to: nil,
                                               businessOrder: BusinessOrderPayment(id: "B1", paidBy: nil))
        #expect(decision.claimsBusinessOrder == "B1")
        #expect(decision.shipsNow)
    }

    @Test func aDuplicatePaymentOrARepeatClaimsNothing() {
        let duplicate = TradeStateMachine.apply(observe(.tradeSuccess, trade: "O2"), to: nil,
                                                businessOrder: BusinessOrderPayment(id: "B1", paidBy: "O1"))
        #expect(duplicate.claimsBusinessOrder == nil)
        #expect(!duplicate.shipsNow)
        let paid = TradeStateMachine.apply(observe(.tradeSuccess, trade: "O1"), to: nil,
                                           businessOrder: BusinessOrderPayment(id: "B1", paidBy: nil))
        let finished = TradeStateMachine.apply(observe(.tradeFinished, id: "2", trade: "O1"), to: paid.trade,
                                               businessOrder: BusinessOrderPayment(id: "B1", paidBy: "O1"))
        #expect(finished.claimsBusinessOrder == nil)
        #expect(!finished.shipsNow)
        #expect(finished.change == .updated)
    }

    @Test func aGatewayAnswerShipsLikeANotificationAndTheNotificationAfterItShipsNothing() {
        var answer = observe(.tradeSuccess)
        answer.source = .gatewayAnswer(id: "query-1")
        answer.appID = nil
        let first = TradeStateMachine.apply(answer, to: nil)
        #expect(first.events.map(\.kind) == [.ship])
        let notified = TradeStateMachine.apply(observe(.tradeSuccess, id: "N1"), to: first.trade)
        #expect(notified.events.isEmpty)
        #expect(notified.change == .unchanged)
    }

    @Test func aFirstWaitBuyerPayIsANewRecordAndItsRepeatIsNot() {
        let first = TradeStateMachine.apply(observe(.waitBuyerPay, id: "1"), to: nil)
        #expect(first.change == .updated)
        #expect(TradeStateMachine.apply(observe(.waitBuyerPay, id: "2"), to: first.trade).change == .unchanged)
    }
}
