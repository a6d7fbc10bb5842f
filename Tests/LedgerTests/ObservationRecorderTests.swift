import AlipayNotify
import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// One way in for facts: a gateway answer and a notification about the same
/// trade go through the same checks, state machine and transaction, on
/// both stores.
@Suite struct ObservationRecorderTests {
    static func answer(_ outTradeNo: String, id: String, total: Int64 = 10000, status: TradeStatus = .tradeSuccess) -> LedgerSubmission {
        let observation = TradeObservation(source: .gatewayAnswer(id: id), appID: nil, outTradeNo: outTradeNo, tradeNo: "T-\(outTradeNo)",
                                           tradeStatus: status, totalAmount: Fen(total), statedAt: "2024-06-03 02:31:00")
        return .observation(AcceptedObservation(observation: observation, rawBody: Array("{\"code\":\"10000\"}".utf8),
                                                rules: LedgerFixtures.rules()))
    }

    @Test(arguments: StoreKind.allCases) func aGatewayAnswerShipsAndTheLaterNotificationIsASuccessThatShipsNothing(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        #expect(try ledger.store.record([Self.answer("O1", id: "query-1")]).map(\.label) == ["ship"])
        #expect(try ledger.store.record([LedgerFixtures.paid("O1", id: "N1")]).map(\.label) == ["recorded"])
        #expect(try ledger.count("SELECT count(*) FROM shipments") == 1)
        #expect(try ledger.count("SELECT count(*) FROM events") == 1)
        #expect(try ledger.count("SELECT count(*) FROM events WHERE source = 'gateway' AND notify_id IS NULL") == 1)
        #expect(try ledger.count("SELECT count(*) FROM notifications WHERE source = 'gateway' AND notify_id = 'query-1'") == 1)
        #expect(try ledger.count("SELECT count(*) FROM notifications WHERE source = 'notification' AND notify_id = 'N1'") == 1)
        let details = try #require(try ledger.store.tradeDetails("O1"))
        #expect(details.notifications.map(\.source) == ["gateway", "notification"])
        #expect(details.events.map(\.source) == ["gateway"])
        #expect(details.events.first?.notifyID == nil)
    }

    @Test(arguments: StoreKind.allCases) func aNotificationCausedEventKeepsItsNotifyID(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        _ = try ledger.store.record([LedgerFixtures.paid("O1", id: "N1")])
        let event = try #require(try ledger.store.event("O1/ship"))
        #expect(event.source == "notification")
        #expect(event.notifyID == "N1")
        #expect(event.jsonDocument(attempt: 1).contains("\"source\":\"notification\",\"notify_id\":\"N1\""))
    }

    @Test(arguments: StoreKind.allCases) func aGatewayAnswerWithAnotherAmountIsQuarantinedWithTheAnswerKept(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        #expect(try ledger.store.record([Self.answer("O1", id: "query-1", total: 9999)]).map(\.label) == ["rejected:amount_mismatch"])
        #expect(try ledger.count("SELECT count(*) FROM quarantine WHERE notify_id = 'query-1' AND total_amount = '99.99'") == 1)
        #expect(try ledger.count("SELECT count(*) FROM trades") == 0)
    }

    @Test(arguments: StoreKind.allCases) func aRefusalIsStoredWithTheAmountInOneFormat(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        _ = try ledger.store.record([LedgerFixtures.paid("O1", id: "N1", total: 9990)])
        #expect(try ledger.count("SELECT count(*) FROM quarantine WHERE total_amount = '99.90'") == 1)
    }

    @Test(arguments: StoreKind.allCases) func anObservationThatChangesNothingDoesNotRewriteTheTrade(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        _ = try ledger.store.record([LedgerFixtures.paid("O1", id: "N1")])
        try ledger.execute("UPDATE trades SET updated_at = 'before' WHERE out_trade_no = 'O1'")
        #expect(try ledger.store.record([LedgerFixtures.paid("O1", id: "N2")]).map(\.label) == ["recorded"])
        #expect(try ledger.count("SELECT count(*) FROM trades WHERE updated_at = 'before'") == 1)
        _ = try ledger.store.record([LedgerFixtures.paid("O1", id: "N3", status: .tradeFinished)])
        #expect(try ledger.count("SELECT count(*) FROM trades WHERE updated_at = 'before'") == 0)
    }

    @Test(arguments: StoreKind.allCases) func aForeignAppIDIsQuarantinedInTheLedgerTransaction(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        let foreign = LedgerFixtures.submission(Notification(notifyID: "N1", appID: "Z", outTradeNo: "O1", tradeStatus: .tradeSuccess,
                                                             totalAmount: Fen(10000)))
        #expect(try ledger.store.record([foreign]).map(\.label) == ["rejected:app_id_mismatch"])
        #expect(try ledger.count("SELECT count(*) FROM quarantine WHERE reason = 'app_id_mismatch' AND app_id = 'Z'") == 1)
        #expect(try ledger.count("SELECT count(*) FROM notifications") == 0)
    }
}
