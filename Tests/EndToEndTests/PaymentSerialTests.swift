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

    @Test func twoDaemonsOnOnePostgreSQLNeverHandOutASerialWhileAnEarlierOneIsOpenAtAlipay() throws {
        let setup = try ReconcilingDaemon("serials-pg", settings: ["reconcile-after = 5m"], database: try PostgresServer.shared.makeDatabase(),
                                          instances: 2)
        // Buyers scanned every other code: those serials are open at Alipay until they are closed.
        for number in stride(from: 1, through: 61, by: 2) { try setup.sandbox.command(["create", "BO-PG-\(number)", "20.00"]) }
        let daemons = setup.daemons
        var created: [String] = []
        // Three rounds of 20 at once; in the last, they come 20 ms apart, so that some follow each other and some meet.
        for (round, spread) in [0, 0, 20_000].enumerated() {
            let replies = try onThreads(20) { index in
                usleep(UInt32(index * spread))
                return try Curl.post(daemons[index % 2].adminURL + "/business-orders/BO-PG/payments", body: #"{"amount":"20.00","expires_in":"15m"}"#,
                              extraArguments: ["-H", "Content-Type: application/json"])
            }
            for reply in replies {
                #expect(reply.seconds < 10, "round \(round): answered after \(reply.seconds) s: \(reply.body)")
                if reply.status == 201 {
                    created.append(try #require(serial(reply)))
                } else {
                    #expect(reply.status == 409 && reply.body.contains("another request for business order BO-PG is in progress, try again shortly"),
                            "round \(round): \(reply.status) \(reply.body)")
                }
            }
        }
        #expect(created.count >= 3)
        let registered = try setup.sql("SELECT out_trade_no || ' ' || created_at FROM orders WHERE business_order = 'BO-PG' ORDER BY created_at")
            .split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(Set(registered.map { $0[0] }) == Set(created), "exactly the serials reported as created exist")
        let closes = try setup.sandbox.calls().filter { $0.method == "alipay.trade.close" }
        for (earlier, later) in zip(registered, registered.dropFirst()) {
            let handedOut = try #require(secondsSince1970(later[1]))
            let closedAt = closes.filter { $0.outTradeNo == earlier[0] }.map(\.receivedAt).min()
            #expect(closedAt.map { $0 <= handedOut + 0.001 } ?? false,
                    "\(later[0]) was handed out at \(later[1]) while \(earlier[0]) was still open at Alipay (closed at \(String(describing: closedAt)))")
        }
        let scanned = created.filter { Int($0.split(separator: "-").last ?? "")! % 2 == 1 }
        let open = try scanned.filter { try setup.sandbox.command(["show", $0]).stdout.contains("WAIT_BUYER_PAY") }
        #expect(open.count <= 1, "only the last serial may still be open at Alipay: \(open)")
    }

    @Test func aSlowCloseForOneBusinessOrderDoesNotDelayASerialForAnother() throws {
        let setup = try ReconcilingDaemon("serials-slow", settings: ["reconcile-after = 5m", "gateway-timeout = 10s"])
        let slow = try #require(serial(try newSerial(setup, "BO-A")))
        let other = try #require(serial(try newSerial(setup, "BO-B")))
        try setup.sandbox.command(["create", slow, "20.00"])
        try setup.sandbox.command(["create", other, "20.00"])
        try setup.sandbox.command(["fault", slow, "alipay.trade.close", "slow", "--delay-seconds", "3"])
        let started = Date()
        let replies = try onThreads(2) { index -> Curl.Reply in
            if index == 0 { return try self.newSerial(setup, "BO-A") }
            // B asks once A's close is at Alipay, waiting for its answer.
            let deadline = Date().addingTimeInterval(5)
            while try setup.sandbox.count("alipay.trade.close", slow) == 0 && Date() < deadline { usleep(20_000) }
            return try self.newSerial(setup, "BO-B")
        }
        #expect(replies[0].status == 201 && replies[0].seconds >= 2.5, "A waited for its slow close: \(replies[0].seconds) s \(replies[0].body)")
        #expect(replies[1].status == 201, "\(replies[1].body)")
        #expect(replies[1].seconds < 1.5, "B was answered after \(replies[1].seconds) s, behind A's close (\(Date().timeIntervalSince(started)) s in all)")
        #expect(try setup.sandbox.command(["show", other]).stdout.contains("TRADE_CLOSED"))
    }

    @Test func aSecondRequestWhileTheFirstClosesTheEarlierSerialIsAnswered409AtOnceWithRetryAfter() throws {
        let setup = try ReconcilingDaemon("serials-busy", settings: ["reconcile-after = 5m", "gateway-timeout = 10s"])
        let one = try #require(serial(try newSerial(setup, "BO-C")))
        try setup.sandbox.command(["create", one, "20.00"])
        try setup.sandbox.command(["fault", one, "alipay.trade.close", "slow", "--delay-seconds", "2"])
        let replies = try onThreads(2) { index -> Curl.Reply in
            if index == 0 { return try self.newSerial(setup, "BO-C") }
            let deadline = Date().addingTimeInterval(5)
            while try setup.sandbox.count("alipay.trade.close", one) == 0 && Date() < deadline { usleep(20_000) }
            return try Curl.post(setup.daemon.adminURL + "/business-orders/BO-C/payments", body: #"{"amount":"20.00"}"#,
                                 extraArguments: ["-i", "-H", "Content-Type: application/json"])
        }
        #expect(replies[0].status == 201, "\(replies[0].body)")
        #expect(replies[1].status == 409 && replies[1].seconds < 1, "\(replies[1].seconds) s")
        #expect(replies[1].body.contains("Retry-After: 1") && replies[1].body.contains("another request for business order BO-C is in progress"),
                "\(replies[1].body)")
        #expect(try setup.sql("SELECT count(*) FROM orders WHERE business_order = 'BO-C'") == "2", "one new serial, not two")
    }

    @Test func aSerialWhoseCloseAlipayAnsweredIsNotClosedAgainAtTheNextRequest() throws {
        let setup = try ReconcilingDaemon("serials-answered", settings: ["reconcile-after = 5m"])
        let one = try #require(serial(try newSerial(setup, "BO-D")))
        let two = try #require(serial(try newSerial(setup, "BO-D")))   // Alipay has no trade for the first: closing it finds none
        #expect(try setup.sandbox.count("alipay.trade.close", one) == 1)
        for _ in 0..<3 { #expect(try newSerial(setup, "BO-D").status == 201) }
        #expect(try setup.sandbox.count("alipay.trade.close", one) == 1, "answered, and nothing new known of it since")
        #expect(try setup.sandbox.count("alipay.trade.close", two) == 1)
        #expect(try setup.sql("SELECT count(*) FROM orders WHERE business_order = 'BO-D' AND close_answered_at IS NOT NULL") == "4")
    }
}

/// The seconds since 1970 of a ledger timestamp (`2024-06-03T02:30:11.123Z`).
private func secondsSince1970(_ text: String) -> Double? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)?.timeIntervalSince1970
}
