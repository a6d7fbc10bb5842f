import AlipayNotify
@testable import Ledger
import Testing
import TestSupport

/// An order or refund amount is one Alipay takes for a trade (0.01 to
/// 100,000,000.00 yuan): the store refuses any other with words naming the
/// range, and the schema refuses it again when SQL bypasses the store.
@Suite struct TradeAmountTests {
    @Test func theRangeIsAlipaysAndTheRefusalNamesIt() {
        #expect(TradeAmount.problem(Fen(1)) == nil)
        #expect(TradeAmount.problem(Fen(10_000_000_000)) == nil)
        #expect(TradeAmount.problem(Fen(0), what: "total_amount")
                == "total_amount 0.00 is outside 0.01 to 100000000.00 yuan, the amounts Alipay takes for one trade")
        #expect(TradeAmount.problem(Fen(10_000_000_001)) != nil)
        #expect(TradeAmount.problem(Fen(-1)) != nil)
    }

    @Test(arguments: StoreKind.allCases)
    func theStoreRefusesAnOrderOfNothingOrOfMoreThanATradeMayHold(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        for fen: Int64 in [0, 10_000_000_001] {
            #expect(throws: OrderError.self) {
                try ledger.store.addOrder(MerchantOrder(outTradeNo: "Z\(fen)", totalAmount: Fen(fen)))
            }
        }
        try ledger.store.addOrder(MerchantOrder(outTradeNo: "MAX", totalAmount: Fen(10_000_000_000)))
        #expect(try ledger.count("SELECT count(*) FROM orders") == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func theSchemaRefusesAnOrderOfNothingWrittenAroundTheStore(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        #expect(throws: (any Error).self) {
            try ledger.execute("INSERT INTO orders(out_trade_no, total_fen, created_at) VALUES ('Z0', 0, '2026-12-01T00:00:00Z')")
        }
        try ledger.execute("INSERT INTO orders(out_trade_no, total_fen, created_at) VALUES ('O1', 1, '2026-12-01T00:00:00Z')")
        #expect(throws: (any Error).self) { try ledger.execute("UPDATE orders SET total_fen = 0 WHERE out_trade_no = 'O1'") }
        #expect(throws: (any Error).self) {
            try ledger.execute("""
                INSERT INTO refund_requests(out_trade_no, request_no, amount_fen, reason, origin, created_at, updated_at)
                VALUES ('O1', 'R1', 10000000001, 'r', 'operator', 'now', 'now')
                """)
        }
        #expect(try ledger.count("SELECT count(*) FROM orders WHERE total_fen = 1") == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func aRefundOfMoreThanATradeMayHoldIsRefusedByTheStore(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        try ledger.addOrders([("O1", 10000, nil)])
        let outcome = try ledger.store.requestRefund(
            RefundRequest(outTradeNo: "O1", requestNo: "R1", amount: Fen(10_000_000_001), reason: "r", origin: .operator),
            owner: nil, leaseSeconds: 60)
        guard case .refused(let why) = outcome else { Issue.record("not refused: \(outcome)"); return }
        #expect(why.contains("0.01 to 100000000.00"))
    }
}
