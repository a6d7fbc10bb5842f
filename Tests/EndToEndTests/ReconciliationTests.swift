import Foundation
import Testing
import TestSupport

/// A daemon that asks alipay-sandbox, through nginx and verified TLS, about
/// the orders it registered: short schedules (`reconcile-after 1s`) so that
/// what takes minutes in production takes seconds here.
final class ReconcilingDaemon: @unchecked Sendable {
    let directory: TemporaryDirectory
    let sandbox: SandboxProcess
    let nginx: NginxGateway
    let config: String
    /// The PostgreSQL ledger the daemons share; nil: SQLite beside the config.
    let database: String?
    private(set) var daemons: [DaemonProcess]
    var daemon: DaemonProcess { daemons[0] }

    init(_ name: String, settings: [String] = [], database: String? = nil, instances: Int = 1) throws {
        self.database = database
        directory = TemporaryDirectory("e2e-reconcile-\(name)")
        sandbox = try SandboxProcess()
        let pki = TestPKI(directory)
        let ca = try pki.certificateAuthority("gateway-ca")
        nginx = try NginxGateway(certificate: try pki.server("gateway", hostName: "localhost", issuer: ca), directory: directory,
                                 upstream: "127.0.0.1:\(sandbox.port)")
        let defaults = ["reconcile-after" : "1s", "attention-after": "3s", "gateway-timeout": "3s", "gateway-rate": "50"]
        let overridden = Set(settings.map { String($0.split(separator: " ")[0]) })
        config = try sandbox.daemonConfiguration(directory, [
            "gateway-ca-file = \(ca.certificate)", "alipay-gateway = https://localhost:\(nginx.port)/gateway.do",
        ] + defaults.filter { !overridden.contains($0.key) }.map { "\($0.key) = \($0.value)" } + settings)
        // The sandbox's own gateway URL is replaced by the TLS one: keep the last.
        let plainGateway = "alipay-gateway = \(sandbox.gatewayURL)"
        let lines = try String(contentsOfFile: config, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix(plainGateway) }
        let ledger = "db = \(directory.file("ledger.db"))"
        let withLedger = lines.map { database != nil && $0 == ledger ? "db = \(database!)" : String($0) }
        try withLedger.joined(separator: "\n").write(toFile: config, atomically: true, encoding: .utf8)
        let (config, directory) = (config, directory)
        daemons = try (0..<instances).map { _ in try Self.start(config, directory) }
    }

    static func start(_ config: String, _ directory: TemporaryDirectory) throws -> DaemonProcess {
        try DaemonProcess(arguments: ["serve", "--config", config, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"],
                          directory: directory)
    }

    /// Starts the daemon again on the same ledger (after it stopped or was killed).
    func restart() throws {
        daemons[0] = try Self.start(config, directory)
    }

    deinit {
        for daemon in daemons { daemon.stop() }
        nginx.stop()
        sandbox.stop()
    }

    func order(_ outTradeNo: String, _ amount: String, expiresIn: String = "10m", businessOrder: String? = nil) throws {
        let result = try DaemonProcess.command(["orders", "add", "--config", config, outTradeNo, amount, "--expires-in", expiresIn]
                                               + (businessOrder.map { ["--business-order", $0] } ?? []))
        #expect(result.status == 0, "\(result.stderr)")
    }

    func sql(_ query: String) throws -> String {
        if let database { return try PostgresServer.shared.sql(database, query) }
        return try daemon.sql(query)
    }

    func state(_ outTradeNo: String) throws -> String {
        try sql("SELECT state FROM orders WHERE out_trade_no = '\(outTradeNo)'")
    }

    /// Waits until `query` answers `expected`; fails with the daemon's log when it never does.
    func waitFor(_ query: String, _ expected: String, seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try sql(query)
            if last == expected { return }
            usleep(100_000)
        }
        Issue.record("\(query) is '\(last)', not '\(expected)', after \(seconds) s; the daemon's log:\n\(daemon.log.suffix(4000))",
                     sourceLocation: sourceLocation)
    }

    func tradeJSON(_ outTradeNo: String) throws -> [String: Any] {
        let shown = try DaemonProcess.command(["trade", "show", outTradeNo, "--json", "--config", config])
        return try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any] ?? [:]
    }
}

@Suite struct ReconciliationTests {
    @Test func aSilentPaidOrderShipsByQueryAndIsNotAskedAgain() throws {
        let setup = try ReconcilingDaemon("silent")
        try setup.sandbox.command(["pay", "R-SILENT", "25.00"])
        try setup.order("R-SILENT", "25.00")
        try setup.waitFor("SELECT count(*) FROM shipments WHERE out_trade_no = 'R-SILENT'", "1")
        #expect(try setup.state("R-SILENT") == "paid")
        #expect(try setup.sql("SELECT source FROM events WHERE id = 'R-SILENT/ship'") == "gateway")
        let asked = try setup.sandbox.count("alipay.trade.query", "R-SILENT")
        #expect(asked == 1)
        sleep(3)
        #expect(try setup.sandbox.count("alipay.trade.query", "R-SILENT") == asked, "a paid order is not asked again")
        let shown = try setup.tradeJSON("R-SILENT")
        let order = shown["order"] as? [String: Any]
        #expect(order?["state"] as? String == "paid")
        #expect(order?["expires_at"] is String)
        let reconciliation = shown["reconciliation"] as? [String: Any]
        #expect(reconciliation?["next_query_at"] is NSNull)
        #expect((reconciliation?["history"] as? [[String: Any]])?.first?["trade_status"] as? String == "TRADE_SUCCESS")
    }

    @Test func busyUnsignedAndForgedAnswersDecideNothingAndTheTruthShipsOnce() throws {
        let setup = try ReconcilingDaemon("unknown")
        try setup.sandbox.command(["pay", "R-FAULTS", "10.00"])
        for fault in ["busy", "unsigned", "forged"] {
            try setup.sandbox.command(["fault", "R-FAULTS", "alipay.trade.query", fault])
        }
        try setup.order("R-FAULTS", "10.00")
        try setup.waitFor("SELECT count(*) FROM shipments WHERE out_trade_no = 'R-FAULTS'", "1")
        #expect(try setup.sql("SELECT group_concat(outcome) FROM (SELECT outcome FROM gateway_calls WHERE out_trade_no = 'R-FAULTS' ORDER BY requested_at)")
                == "unknown,unknown,unknown,succeeded")
        #expect(try setup.sql("SELECT count(*) FROM events WHERE out_trade_no = 'R-FAULTS'") == "1")
        #expect(try setup.sandbox.calls("R-FAULTS").compactMap(\.fault) == ["busy", "unsigned", "forged"])
        #expect(try setup.state("R-FAULTS") == "paid")
    }

    @Test func anOrderWaitingAtItsExpiryIsClosedAtAlipayAndEndsClosed() throws {
        let setup = try ReconcilingDaemon("close")
        try setup.sandbox.command(["create", "R-WAIT", "30.00"])
        try setup.order("R-WAIT", "30.00", expiresIn: "3s")
        try setup.waitFor("SELECT state FROM orders WHERE out_trade_no = 'R-WAIT'", "closed")
        #expect(try setup.sql("SELECT status || ',' || close_reason || ',' || shipped FROM trades WHERE out_trade_no = 'R-WAIT'")
                == "TRADE_CLOSED,unpaid,0")
        #expect(try setup.sql("SELECT count(*) FROM events WHERE out_trade_no = 'R-WAIT' AND kind = 'close'") == "1")
        #expect(try setup.sql("SELECT count(*) FROM events WHERE out_trade_no = 'R-WAIT' AND kind = 'ship'") == "0")
        #expect(try setup.sql("SELECT coalesce(close_requested_at, '-') || ',' || coalesce(next_query_at, '-') FROM orders WHERE out_trade_no = 'R-WAIT'") == "-,-")
        #expect(try setup.sandbox.count("alipay.trade.close", "R-WAIT") == 1)
        #expect(try setup.sandbox.command(["show", "R-WAIT"]).stdout.contains("TRADE_CLOSED"))
        // A close decided is recorded before it is sent.
        let closeCall = try setup.sql("SELECT requested_at FROM gateway_calls WHERE out_trade_no = 'R-WAIT' AND method = 'alipay.trade.close'")
        let decided = try setup.sql("SELECT received_at FROM notifications WHERE out_trade_no = 'R-WAIT' AND trade_status = 'WAIT_BUYER_PAY' ORDER BY id DESC LIMIT 1")
        #expect(decided <= closeCall)
    }

    @Test func anOrderAlipayNeverHeardOfEndsExpiredAndAPaymentAfterItShips() throws {
        let setup = try ReconcilingDaemon("expired")
        try setup.order("R-NEVER", "12.00", expiresIn: "2s")
        try setup.waitFor("SELECT state FROM orders WHERE out_trade_no = 'R-NEVER'", "expired")
        #expect(try setup.sql("SELECT count(*) FROM trades WHERE out_trade_no = 'R-NEVER'") == "0")
        #expect(try setup.sql("SELECT next_query_at IS NOT NULL FROM orders WHERE out_trade_no = 'R-NEVER'") == "1",
                "an expired order is still looked for")
        #expect(try setup.sandbox.count("alipay.trade.close", "R-NEVER") == 0)
        // The buyer had opened the cashier before the expiry and pays now.
        try setup.sandbox.command(["pay", "R-NEVER", "12.00"])
        try setup.waitFor("SELECT state FROM orders WHERE out_trade_no = 'R-NEVER'", "paid", seconds: 40)
        #expect(try setup.sql("SELECT count(*) FROM shipments WHERE out_trade_no = 'R-NEVER'") == "1")
    }

    @Test func aNotifiedOrderIsNotAskedAbout() throws {
        let setup = try ReconcilingDaemon("notified", settings: ["reconcile-after = 2s"])
        try setup.order("R-NOTIFIED", "8.00")
        let answered = try Curl.post(setup.daemon.notifyURL, body: SignedNotification.paid("R-NOTIFIED", amount: "8.00", notifyID: "r-notified-1"))
        #expect(answered.body == "success")
        #expect(try setup.state("R-NOTIFIED") == "paid")
        #expect(try setup.sql("SELECT next_query_at IS NULL FROM orders WHERE out_trade_no = 'R-NOTIFIED'") == "1")
        // A neighbour registered at the same time is asked about: the reconciler runs.
        try setup.order("R-NEIGHBOUR", "8.00")
        try setup.waitFor("SELECT queries > 0 FROM orders WHERE out_trade_no = 'R-NEIGHBOUR'", "1")
        sleep(2)
        #expect(try setup.sandbox.count("alipay.trade.query", "R-NOTIFIED") == 0)
    }

    @Test func anAnswerWithAnotherAmountShipsNothingAndAsksForAPerson() throws {
        let setup = try ReconcilingDaemon("amount")
        try setup.sandbox.command(["pay", "R-AMOUNT", "88.00"])
        try setup.order("R-AMOUNT", "88.88")
        try setup.waitFor("SELECT state FROM orders WHERE out_trade_no = 'R-AMOUNT'", "attention")
        #expect(try setup.sql("SELECT count(*) FROM shipments") == "0")
        #expect(try setup.sql("SELECT reason FROM quarantine WHERE out_trade_no = 'R-AMOUNT'") == "amount_mismatch")
        #expect(setup.daemon.log.contains("a person should look"))
    }

    @Test func resultsUnknownForAttentionAfterAreHandedToAPersonAndResolvedOnceKnown() throws {
        let setup = try ReconcilingDaemon("attention", settings: ["attention-after = 2s"])
        try setup.sandbox.command(["fault", "R-BUSY", "alipay.trade.query", "busy", "--times", "0"])
        try setup.order("R-BUSY", "5.00")
        try setup.waitFor("SELECT state FROM orders WHERE out_trade_no = 'R-BUSY'", "attention")
        #expect(try setup.sql("SELECT unknown_since IS NOT NULL FROM orders WHERE out_trade_no = 'R-BUSY'") == "1")
        let metrics = try Curl.get(setup.daemon.adminURL + "/metrics").body
        #expect(metrics.contains("alipay_notifyd_orders_attention_total 1"))
        #expect(metrics.contains("alipay_notifyd_orders{state=\"attention\"} 1"))
        #expect(metrics.contains("alipay_notifyd_gateway_calls_total{method=\"alipay.trade.query\",result=\"unknown\"}"))
        let listed = try DaemonProcess.command(["orders", "list", "--state", "attention", "--config", setup.config])
        #expect(listed.stdout.contains("R-BUSY"))
        // Alipay is well again, and the buyer had paid: the slow pace finds it.
        try setup.sandbox.command(["fault", "--clear"])
        try setup.sandbox.command(["pay", "R-BUSY", "5.00"])
        try setup.waitFor("SELECT state FROM orders WHERE out_trade_no = 'R-BUSY'", "paid", seconds: 30)
        #expect(try setup.sql("SELECT count(*) FROM shipments WHERE out_trade_no = 'R-BUSY'") == "1")
    }

    @Test func aRateLimitedAnswerSlowsTheDaemonDownAndIsAskedAgain() throws {
        let setup = try ReconcilingDaemon("rate")
        try setup.sandbox.command(["pay", "R-RATE", "3.00"])
        try setup.sandbox.command(["fault", "R-RATE", "alipay.trade.query", "rate-limited", "--times", "2"])
        try setup.order("R-RATE", "3.00")
        try setup.waitFor("SELECT count(*) FROM shipments WHERE out_trade_no = 'R-RATE'", "1")
        #expect(setup.daemon.log.contains("40005"))
        #expect(try setup.sql("SELECT count(*) FROM gateway_calls WHERE out_trade_no = 'R-RATE' AND code = '40005'") == "2")
        let metrics = try Curl.get(setup.daemon.adminURL + "/metrics").body
        #expect(metrics.contains("alipay_notifyd_gateway_calls_total{method=\"alipay.trade.query\",result=\"rate_limited\"} 2"))
    }

    @Test func ordersTakeAnExpiryOverTheAdminListenerAndBadOnesChangeNothing() throws {
        let setup = try ReconcilingDaemon("admin-orders", settings: ["order-timeout = 45m", "reconcile-after = 5m"])
        func post(_ body: String) throws -> Curl.Reply {
            try Curl.post(setup.daemon.adminURL + "/orders", body: body, extraArguments: ["-H", "Content-Type: application/json"])
        }
        #expect(try post(#"{"out_trade_no":"E-IN","total_amount":"1.00","expires_in":"2h"}"#).status == 201)
        #expect(try post(#"{"out_trade_no":"E-AT","total_amount":"1.00","expires_at":"2099-01-01T00:00:00Z"}"#).status == 400, "more than 15 days away")
        let at = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        let registered = try post(#"{"out_trade_no":"E-AT","total_amount":"1.00","expires_at":"\#(at)"}"#)
        #expect(registered.status == 201 && registered.body.contains(#""expires_at":"\#(at.dropLast()).000Z""#), "\(registered.body)")
        #expect(try post(#"{"out_trade_no":"E-DEFAULT","total_amount":"1.00"}"#).status == 201)
        for bad in [#"{"out_trade_no":"E-BAD","total_amount":"1.00","expires_in":"soon"}"#,
                    #"{"out_trade_no":"E-BAD","total_amount":"1.00","expires_at":"2020-01-01T00:00:00Z"}"#,
                    #"{"out_trade_no":"E-BAD","total_amount":"1.00","expires_in":"1h","expires_at":"\#(at)"}"#] {
            let refused = try post(bad)
            #expect(refused.status == 400, "\(bad): \(refused.body)")
        }
        #expect(try setup.sql("SELECT count(*) FROM orders WHERE out_trade_no = 'E-BAD'") == "0")
        func expiresIn(_ name: String) throws -> Int {
            Int(try setup.sql("SELECT round((julianday(expires_at) - julianday(created_at)) * 86400) FROM orders WHERE out_trade_no = '\(name)'")
                .replacingOccurrences(of: ".0", with: "")) ?? -1
        }
        #expect(try expiresIn("E-IN") == 7200)
        #expect(try expiresIn("E-DEFAULT") == 2700, "order-timeout")
        #expect(try setup.sql("SELECT round((julianday(next_query_at) - julianday(created_at)) * 86400) FROM orders WHERE out_trade_no = 'E-IN'") == "300.0")
        let listed = try Curl.get(setup.daemon.adminURL + "/orders?state=open").body
        #expect(listed.contains("E-IN") && listed.contains("E-AT") && listed.contains(#""state":"open""#))
        #expect(try Curl.get(setup.daemon.adminURL + "/orders?state=paid").body == "{\"orders\":[]}\n")
        #expect(try Curl.get(setup.daemon.adminURL + "/orders?state=bogus").status == 400)
    }

    @Test func killedInTheMiddleOfACloseTheRestartFinishesItAndTheOrderClosesOnce() throws {
        let setup = try ReconcilingDaemon("kill")
        try setup.sandbox.command(["create", "R-KILL", "40.00"])
        try setup.sandbox.command(["fault", "R-KILL", "alipay.trade.close", "slow", "--delay-seconds", "30"])
        try setup.order("R-KILL", "40.00", expiresIn: "2s")
        let deadline = Date().addingTimeInterval(30)
        while try setup.sandbox.count("alipay.trade.close", "R-KILL") == 0 && Date() < deadline { usleep(100_000) }
        #expect(try setup.sql("SELECT close_requested_at IS NOT NULL FROM orders WHERE out_trade_no = 'R-KILL'") == "1",
                "the close is recorded before it is sent")
        setup.daemon.stop(signal: SIGKILL)
        #expect(try setup.sql("SELECT count(*) FROM events WHERE out_trade_no = 'R-KILL'") == "0")
        try setup.restart()
        try setup.waitFor("SELECT state FROM orders WHERE out_trade_no = 'R-KILL'", "closed")
        #expect(try setup.sql("SELECT count(*) FROM events WHERE out_trade_no = 'R-KILL' AND kind = 'close'") == "1")
        #expect(try setup.sql("SELECT count(*) FROM shipments") == "0")
        // The first close went through before the kill: the second is refused
        // (already closed), and the query that follows records the close.
        #expect(try setup.sandbox.count("alipay.trade.close", "R-KILL") == 2)
        #expect(try setup.sql("SELECT close_requested_at IS NULL FROM orders WHERE out_trade_no = 'R-KILL'") == "1")
    }
}

/// Several daemons on one PostgreSQL ledger ask about each due order once
/// at a time: the sandbox counts the calls.
@Suite struct SharedReconciliationTests {
    @Test func twoInstancesAskOncePerDueOrder() throws {
        let database = try PostgresServer.shared.makeDatabase()
        let setup = try ReconcilingDaemon("shared", settings: ["reconcile-after = 2s"], database: database, instances: 2)
        let paid = (1...30).map { "R-PG-PAID-\($0)" }
        let closing = (1...5).map { "R-PG-WAIT-\($0)" }
        for name in paid { try setup.sandbox.command(["pay", name, "6.00"]) }
        for name in closing { try setup.sandbox.command(["create", name, "6.00"]) }
        for name in paid { try setup.order(name, "6.00") }
        for name in closing { try setup.order(name, "6.00", expiresIn: "3s") }
        try setup.waitFor("SELECT count(*) FROM orders WHERE state = 'paid'", "30", seconds: 60)
        try setup.waitFor("SELECT count(*) FROM orders WHERE state = 'closed'", "5", seconds: 60)
        for name in paid {
            #expect(try setup.sandbox.count("alipay.trade.query", name) == 1, "\(name) was asked more than once")
        }
        for name in closing {
            #expect(try setup.sandbox.count("alipay.trade.close", name) == 1, "\(name) was closed more than once")
        }
        #expect(try setup.sql("SELECT count(*) FROM shipments") == "30")
        #expect(try setup.sql("SELECT count(*) FROM events WHERE kind = 'close'") == "5")
        let asked = setup.daemons.map { $0.log.contains("asked Alipay about R-PG") }
        #expect(asked.contains(true))
    }
}
