import AlipayNotify
import Testing

@Suite struct NotificationTests {
    func notification(_ body: String) throws -> Notification {
        try Notification(fields: FormFields(body: Array(body.utf8)))
    }

    let base = "notify_id=N1&app_id=A&out_trade_no=O1&trade_status=TRADE_SUCCESS&total_amount=12.30"

    @Test func readsTheTypedFields() throws {
        let n = try notification(base + "&refund_fee=1.5&out_biz_no=R1&seller_id=S&trade_no=T&gmt_payment=2024-01-01+00%3A00%3A00")
        #expect(n.notifyID == "N1")
        #expect(n.totalAmount == Fen(1230))
        #expect(n.refundFee == Fen(150))
        #expect(n.tradeStatus == .tradeSuccess)
        #expect(n.outBizNo == "R1")
        #expect(n.gmtPayment == "2024-01-01 00:00:00")
    }

    @Test func anEmptyOptionalAmountIsAbsent() throws {
        #expect(try notification(base + "&refund_fee=").refundFee == nil)
    }

    @Test(arguments: ["notify_id", "app_id", "out_trade_no", "trade_status", "total_amount"])
    func rejectsAMissingRequiredField(_ field: String) {
        let body = base.split(separator: "&").filter { !$0.hasPrefix(field + "=") }.joined(separator: "&")
        #expect(throws: NotificationFieldError.missing(field)) { try notification(body) }
    }

    @Test func rejectsAMalformedAmountInsteadOfCrashing() {
        #expect(throws: NotificationFieldError.malformed("total_amount", "12.3.0")) {
            try notification(base.replacingOccurrences(of: "12.30", with: "12.3.0"))
        }
        #expect(throws: NotificationFieldError.malformed("refund_fee", "-1")) {
            try notification(base + "&refund_fee=-1")
        }
    }

    @Test func rejectsAnUnknownTradeStatus() {
        #expect(throws: NotificationFieldError.unknownTradeStatus("TRADE_PENDING")) {
            try notification(base.replacingOccurrences(of: "TRADE_SUCCESS", with: "TRADE_PENDING"))
        }
    }
}
