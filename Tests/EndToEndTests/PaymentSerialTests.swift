import Foundation
import Testing
import TestSupport

/// Payment serials: a new `out_trade_no` per payment attempt, never while an
/// earlier attempt's result is unknown, none for a business order already paid.
@Suite struct PaymentSerialTests {
    func newSerial(_ setup: ReconcilingDaemon, _ businessOrder: String, _ body: String = #"{"amount":"20.00","expires_in":"15m"}"#) throws -> Curl.Reply {
        try Curl.post(setup.daemon.adminURL + "/business-orders/\(businessOrder)/payments", body: body,
                      extraArguments: ["-H", "Content-Type: application/json"])
    }

    func serial(_ reply: Curl.Reply) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(reply.body.utf8))) as? [String: Any])?["out_trade_no"] as? String
    }

    @Test func eachAttemptGetsANewSerialAndTheEarlierOneIsClosedAtAlipayFirst() throws {
        let setup = try ReconcilingDaemon("serials", settings: ["reconcile-after = 5m"])
        let first = try newSerial(setup, "BO-1")
        #expect(first.status == 201, "\(first.body)")
        let one = try #require(serial(first))
        #expect(try setup.sql("SELECT business_order || ',' || total_fen || ',' || state FROM orders WHERE out_trade_no = '\(one)'") == "BO-1,2000,open")
        // The buyer scanned the first code and walked away: Alipay has a waiting trade.
        try setup.sandbox.command(["create", one, "20.00"])
        let second = try newSerial(setup, "BO-1")
        #expect(second.status == 201, "\(second.body)")
        let two = try #require(serial(second))
        #expect(two != one)
        #expect(try setup.sandbox.command(["show", one]).stdout.contains("TRADE_CLOSED"))
        #expect(try setup.state(one) == "closed")
        #expect(try setup.sql("SELECT count(*) FROM events WHERE out_trade_no = '\(one)' AND kind = 'close'") == "1")
        // Alipay never heard of the second: closing it finds nothing, and a third is handed out.
        let third = try newSerial(setup, "BO-1")
        #expect(third.status == 201, "\(third.body)")
        let three = try #require(serial(third))
        #expect(Set([one, two, three]).count == 3)
        #expect(try setup.sandbox.count("alipay.trade.close", two) == 1)
        // The same from the command line.
        let printed = try DaemonProcess.command(["orders", "new-serial", "BO-CLI", "9.99", "--expires-in", "10m", "--config", setup.config])
        #expect(printed.status == 0, "\(printed.stderr)")
        let cli = printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try setup.sql("SELECT business_order || ',' || total_fen FROM orders WHERE out_trade_no = '\(cli)'") == "BO-CLI,999")
    }

    @Test func noNewSerialWhileTheLastResultIsUnknownNorForAPaidBusinessOrder() throws {
        let setup = try ReconcilingDaemon("serials-409", settings: ["reconcile-after = 5m"])
        let one = try #require(serial(try newSerial(setup, "BO-2")))
        try setup.sandbox.command(["create", one, "20.00"])
        try setup.sandbox.command(["fault", one, "alipay.trade.close", "busy", "--times", "0"])
        let unknown = try newSerial(setup, "BO-2")
        #expect(unknown.status == 409, "\(unknown.body)")
        #expect(unknown.body.contains("unknown"))
        #expect(try setup.sql("SELECT count(*) FROM orders WHERE business_order = 'BO-2'") == "1")
        #expect(try setup.sql("SELECT close_requested_at IS NOT NULL FROM orders WHERE out_trade_no = '\(one)'") == "1")
        // Alipay is well again, but the buyer paid the first serial meanwhile.
        try setup.sandbox.command(["fault", "--clear"])
        try setup.sandbox.command(["pay", one, "20.00"])
        let paid = try newSerial(setup, "BO-2")
        #expect(paid.status == 409, "\(paid.body)")
        #expect(paid.body.contains("already paid"))
        #expect(try setup.sql("SELECT count(*) FROM shipments WHERE out_trade_no = '\(one)'") == "1")
        let again = try newSerial(setup, "BO-2")
        #expect(again.status == 409 && again.body.contains("already paid (serial \(one))"), "\(again.body)")
        #expect(try setup.sql("SELECT count(*) FROM orders WHERE business_order = 'BO-2'") == "1")
        let printed = try DaemonProcess.command(["orders", "new-serial", "BO-2", "20.00", "--config", setup.config])
        #expect(printed.status == 1 && printed.stderr.contains("already paid"), "\(printed.stderr)")
        // Bad requests change nothing.
        #expect(try newSerial(setup, "BO-3", #"{"amount":"20.001"}"#).status == 400)
        let nothing = try newSerial(setup, "BO-3", #"{"amount":"0.00"}"#)
        #expect(nothing.status == 400)
        #expect(nothing.body.contains("0.01 to 100000000.00"), "\(nothing.body)")
        #expect(try newSerial(setup, "BO-3", #"{"amount":"20.00","expires_in":"forever"}"#).status == 400)
        #expect(try setup.sql("SELECT count(*) FROM orders WHERE business_order = 'BO-3'") == "0")
    }

    @Test func aSerialPaidAllTheSameIsADuplicatePayment() throws {
        let setup = try ReconcilingDaemon("serials-duplicate")
        let one = try #require(serial(try newSerial(setup, "BO-4")))
        let two = try #require(serial(try newSerial(setup, "BO-4")))
        // Alipay had no trade for the first when it was replaced, but its code was still on a screen.
        try setup.sandbox.command(["pay", two, "20.00"])
        try setup.sandbox.command(["pay", one, "20.00"])
        try setup.waitFor("SELECT count(*) FROM trades WHERE business_order = 'BO-4' AND paid = 1", "2")
        #expect(try setup.sql("SELECT count(*) FROM events WHERE business_order = 'BO-4' AND kind = 'ship'") == "1")
        #expect(try setup.sql("SELECT count(*) FROM events WHERE business_order = 'BO-4' AND kind = 'duplicate_payment'") == "1")
    }
}
