import AlipayNotify
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import TestSupport

/// Small builders for ledger tests.
enum LedgerFixtures {
    /// The rules of the tests: app id "A"; orders must be registered unless `unregistered`.
    static func rules(unregistered: Bool = false) -> BusinessRules {
        BusinessRules(appIDs: ["A"], acceptsUnknownOrders: unregistered)
    }

    static func paid(_ outTradeNo: String, id: String, total: Int64 = 10000, status: TradeStatus = .tradeSuccess,
                     refund: Int64? = nil, unregistered: Bool = false) -> LedgerSubmission {
        submission(Notification(
            notifyID: id, notifyTime: "2024-06-03 02:30:11", notifyType: "trade_status_sync", appID: "A",
            outTradeNo: outTradeNo, tradeNo: "T-\(outTradeNo)", tradeStatus: status, totalAmount: Fen(total),
            refundFee: refund.map(Fen.init)
        ), rawBody: Array("raw body of \(id)".utf8), unregistered: unregistered)
    }

    /// A notification as the endpoint submits it.
    static func submission(_ notification: Notification, rawBody: [UInt8] = [], unregistered: Bool = false) -> LedgerSubmission {
        .observation(AcceptedObservation(observation: notification.observation, rawBody: rawBody, rules: rules(unregistered: unregistered)))
    }

    static func store(_ directory: TemporaryDirectory, orders: [(String, Int64, String?)] = []) throws -> SQLiteLedgerStore {
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"))
        for (outTradeNo, total, business) in orders {
            try store.addOrder(MerchantOrder(outTradeNo: outTradeNo, totalAmount: Fen(total), businessOrder: business))
        }
        return store
    }

    static func count(_ store: SQLiteLedgerStore, _ sql: String) throws -> Int64 {
        try store.database.scalarInt(sql)
    }
}

extension LedgerOutcome {
    var label: String {
        switch self {
        case .recorded(let decision): return decision.summary
        case .duplicate: return "duplicate"
        case .rejected(let reason): return "rejected:\(reason.code)"
        case .unavailable: return "unavailable"
        }
    }
}
