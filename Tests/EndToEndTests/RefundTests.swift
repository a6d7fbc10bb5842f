import Foundation
import Testing
import TestSupport

/// Refunds against alipay-sandbox over TLS: recorded first, sent with a
/// stable out_request_no, never twice, never concluded from an unknown answer.
@Suite struct RefundTests {
    func refunded(_ setup: ReconcilingDaemon, _ outTradeNo: String) throws -> String {
        let shown = try setup.sandbox.command(["show", outTradeNo]).stdout
        let object = try JSONSerialization.jsonObject(with: Data(shown.utf8)) as? [String: Any]
        return object?["refunded"] as? String ?? "?"
    }

    func refundState(_ setup: ReconcilingDaemon, _ requestNo: String) throws -> String {
        try setup.sql("SELECT state FROM refund_requests WHERE request_no = '\(requestNo)'")
    }

    /// Pays `outTradeNo` at the sandbox, notified to the daemon, and waits until it is recorded paid.
    func pay(_ setup: ReconcilingDaemon, _ outTradeNo: String, _ amount: String) throws {
        try setup.sandbox.command(["pay", outTradeNo, amount, "--notify-url", setup.daemon.notifyURL])
        try setup.waitFor("SELECT paid FROM trades WHERE out_trade_no = '\(outTradeNo)'", "1")
    }

    @Test func aDuplicatePaymentGoesBackByItselfAndTheNotificationsThatFollowAgree() throws {
        let setup = try ReconcilingDaemon("refund-duplicate", settings: ["reconcile-after = 5m"])
        try setup.order("DUP-1", "30.00", businessOrder: "BO-DUP")
        try setup.order("DUP-2", "30.00", businessOrder: "BO-DUP")
        try pay(setup, "DUP-1", "30.00")
        try pay(setup, "DUP-2", "30.00")
        try setup.waitFor("SELECT state FROM refund_requests WHERE out_trade_no = 'DUP-2'", "succeeded")
        #expect(try setup.sql("SELECT request_no || ',' || amount_fen || ',' || origin FROM refund_requests") == "dup-DUP-2,3000,duplicate_payment")
        #expect(try refunded(setup, "DUP-2") == "30.00")
        #expect(try refunded(setup, "DUP-1") == "0.00", "the serial that shipped is never touched")
        // Alipay's TRADE_CLOSED notification after the full refund is answered success and agrees.
        try setup.waitFor("SELECT count(*) FROM notifications WHERE out_trade_no = 'DUP-2' AND source = 'notification' AND trade_status = 'TRADE_CLOSED'", "1")
        #expect(try setup.sql("SELECT status || ',' || close_reason || ',' || refunded_fen || ',' || shipped FROM trades WHERE out_trade_no = 'DUP-2'")
                == "TRADE_CLOSED,refunded,3000,0")
        #expect(try setup.sql("SELECT count(*) FROM shipments") == "1")
        #expect(try setup.sql("SELECT count(*) FROM quarantine") == "0")
        #expect(try setup.sandbox.count("alipay.trade.refund", "DUP-2") == 1)
        #expect(try setup.sandbox.calls().filter { $0.method == "alipay.trade.cancel" }.isEmpty, "refunds never use alipay.trade.cancel")
        let shown = try setup.tradeJSON("DUP-2")
        let refunds = shown["refunds"] as? [[String: Any]]
        #expect(refunds?.first?["state"] as? String == "succeeded")
    }

    @Test func refundsBeyondTheAdminPoolAreAnswered503WithRetryAfterAtOnce() throws {
        let setup = try ReconcilingDaemon("refund-pool", settings: ["reconcile-after = 5m", "gateway-timeout = 4s"])
        try setup.order("POOL-1", "50.00")
        try pay(setup, "POOL-1", "50.00")
        // Alipay answers refunds later than gateway-timeout: each first attempt waits 4 s.
        try setup.sandbox.command(["fault", "POOL-1", "alipay.trade.refund", "slow", "--times", "0"])
        let url = setup.daemon.adminURL + "/trades/POOL-1/refunds"
        // 4 threads and 16 waiting: of 24 at once, at least 4 find it full.
        let replies = try onThreads(24) { index in
            try Curl.post(url, body: #"{"amount":"0.01","reason":"pool test","request_no":"P-\#(index)"}"#,
                          extraArguments: ["-i", "-H", "Content-Type: application/json"], timeout: 60)
        }
        let refused = replies.filter { $0.status == 503 }
        #expect(refused.count >= 4, "\(replies.map(\.status))")
        #expect(refused.allSatisfy { $0.body.contains("Retry-After: 2") && $0.body.contains("try again shortly") })
        #expect(refused.allSatisfy { $0.seconds < 1 }, "refused at once, not after waiting: \(refused.map(\.seconds))")
        #expect(replies.filter { $0.status == 201 }.count == 24 - refused.count, "\(replies.map(\.status))")
        // The admin listener stayed responsive meanwhile, and what was refused was not recorded.
        #expect(try Curl.get(setup.daemon.adminURL + "/livez").status == 200)
        #expect(try setup.sql("SELECT count(*) FROM refund_requests") == "\(24 - refused.count)")
        print("admin pool: 24 refunds at once against a gateway slower than gateway-timeout: \(24 - refused.count) recorded, \(refused.count) answered 503 Retry-After in at most \(Int((refused.map(\.seconds).max() ?? 0) * 1000)) ms")
    }

    @Test func anOperatorRefundHappensOnceHoweverOftenItIsAsked() throws {
        let setup = try ReconcilingDaemon("refund-operator", settings: ["reconcile-after = 5m"])
        try setup.order("OP-1", "50.00")
        try pay(setup, "OP-1", "50.00")
        func refund(_ arguments: [String]) throws -> ProcessResult {
            try DaemonProcess.command(["refund"] + arguments + ["--config", setup.config])
        }
        let first = try refund(["OP-1", "20.00", "--reason", "damaged box", "--request-no", "R-OP-1"])
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        #expect(first.stdout.contains("succeeded"))
        let again = try refund(["OP-1", "20.00", "--reason", "damaged box", "--request-no", "R-OP-1"])
        #expect(again.status == 0 && again.stdout.contains("nothing new was sent"), "\(again.stdout)")
        #expect(try setup.sandbox.count("alipay.trade.refund", "OP-1") == 1)
        #expect(try refunded(setup, "OP-1") == "20.00")
        // Refused before any call: more than is left, another amount for the same request, unpaid, malformed.
        let tooMuch = try refund(["OP-1", "30.01", "--reason", "x"])
        #expect(tooMuch.status == 3 && tooMuch.stderr.contains("at most 30.00"), "\(tooMuch.stderr)")
        #expect(try refund(["OP-1", "5.00", "--reason", "x", "--request-no", "R-OP-1"]).status == 3)
        try setup.order("OP-UNPAID", "9.00")
        #expect(try refund(["OP-UNPAID", "1.00", "--reason", "x"]).status == 3)
        #expect(try refund(["OP-1", "1.001", "--reason", "x"]).status == 3)
        #expect(try setup.sandbox.count("alipay.trade.refund", "OP-1") == 1)
        // The admin listener: the same rules, as JSON.
        func post(_ body: String) throws -> Curl.Reply {
            try Curl.post(setup.daemon.adminURL + "/trades/OP-1/refunds", body: body, extraArguments: ["-H", "Content-Type: application/json"])
        }
        let created = try post(#"{"amount":"30.00","reason":"returned","request_no":"R-OP-2"}"#)
        #expect(created.status == 201 && created.body.contains(#""state":"succeeded""#), "\(created.body)")
        let repeated = try post(#"{"amount":"30.00","reason":"returned","request_no":"R-OP-2"}"#)
        #expect(repeated.status == 200 && repeated.body.contains(#""state":"succeeded""#), "\(repeated.body)")
        #expect(try post(#"{"amount":"0.01","reason":"more"}"#).status == 409, "nothing is left to refund")
        #expect(try post(#"{"amount":"abc","reason":"more"}"#).status == 400)
        #expect(try refunded(setup, "OP-1") == "50.00")
        #expect(try setup.sandbox.count("alipay.trade.refund", "OP-1") == 2)
        #expect(try setup.sql("SELECT status || ',' || refunded_fen FROM trades WHERE out_trade_no = 'OP-1'") == "TRADE_CLOSED,5000")
    }

    @Test func aRefundAlipayKeepsAnsweringBusyEndsInAttentionNeverSucceeded() throws {
        let setup = try ReconcilingDaemon("refund-busy", settings: ["reconcile-after = 5m", "attention-after = 3s", "refund-query-pause = 1s"])
        try setup.order("BUSY-1", "10.00")
        try pay(setup, "BUSY-1", "10.00")
        try setup.sandbox.command(["fault", "BUSY-1", "alipay.trade.refund", "busy", "--times", "0"])
        let result = try DaemonProcess.command(["refund", "BUSY-1", "10.00", "--reason", "test", "--request-no", "R-BUSY", "--config", setup.config])
        #expect(result.status == 5, "\(result.stdout) \(result.stderr)")
        #expect(try refundState(setup, "R-BUSY") == "attention")
        #expect(try refunded(setup, "BUSY-1") == "0.00")
        let metrics = try Curl.get(setup.daemon.adminURL + "/metrics").body
        #expect(metrics.contains("alipay_notifyd_refund_requests{state=\"attention\"} 1"))
        // A person decides to try again once Alipay is well: the same request, once.
        try setup.sandbox.command(["fault", "--clear"])
        let retried = try DaemonProcess.command(["refund", "retry", "R-BUSY", "--config", setup.config])
        #expect(retried.status == 0, "\(retried.stdout) \(retried.stderr)")
        #expect(try refundState(setup, "R-BUSY") == "succeeded")
        #expect(try refunded(setup, "BUSY-1") == "10.00")
        let again = try DaemonProcess.command(["refund", "retry", "R-BUSY", "--config", setup.config])
        #expect(again.status == 3, "a final refund is not sent again")
    }

    @Test func aTimedOutRefundRetriedAnswersFundChangeNAndTheQueryConfirmsIt() throws {
        let setup = try ReconcilingDaemon("refund-slow", settings: ["reconcile-after = 5m", "refund-query-pause = 1s", "gateway-timeout = 2s"])
        try setup.order("SLOW-1", "10.00")
        try pay(setup, "SLOW-1", "10.00")
        try setup.sandbox.command(["fault", "SLOW-1", "alipay.trade.refund", "slow", "--delay-seconds", "4"])
        let result = try DaemonProcess.command(["refund", "SLOW-1", "4.00", "--reason", "late", "--request-no", "R-SLOW", "--config", setup.config])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(try setup.sql("SELECT group_concat(method || ':' || outcome || ':' || coalesce(detail, '')) FROM (SELECT * FROM gateway_calls WHERE out_trade_no = 'SLOW-1' AND method LIKE '%refund%' ORDER BY requested_at)")
                .contains("alipay.trade.refund:succeeded:fund_change=N"))
        #expect(try setup.sandbox.count("alipay.trade.fastpay.refund.query", "SLOW-1") >= 1)
        #expect(try refunded(setup, "SLOW-1") == "4.00", "money moved once")
    }

    @Test func killedAfterTheRequestIsRecordedTheRestartSendsOrConfirmsTheSameRequestOnce() throws {
        let setup = try ReconcilingDaemon("refund-kill", settings: ["reconcile-after = 5m", "refund-query-pause = 1s", "gateway-timeout = 20s"])
        try setup.order("KILL-1", "20.00")
        try setup.order("KILL-2", "20.00")
        try pay(setup, "KILL-1", "20.00")
        try pay(setup, "KILL-2", "20.00")
        // After the call: Alipay moves the money and the daemon dies before the answer.
        try setup.sandbox.command(["fault", "KILL-1", "alipay.trade.refund", "slow", "--delay-seconds", "30"])
        // The answer would take 30 s: curl gives up at once, the daemon goes on waiting for Alipay.
        _ = try? Curl.post(setup.daemon.adminURL + "/trades/KILL-1/refunds", body: #"{"amount":"20.00","reason":"kill","request_no":"R-KILL-1"}"#,
                           extraArguments: ["-H", "Content-Type: application/json"], timeout: 1)
        let deadline = Date().addingTimeInterval(20)
        while try setup.sandbox.count("alipay.trade.refund", "KILL-1") == 0 && Date() < deadline { usleep(100_000) }
        setup.daemon.stop(signal: SIGKILL)
        #expect(try setup.sql("SELECT state || ',' || next_call FROM refund_requests WHERE request_no = 'R-KILL-1'") == "pending,query",
                "a refund whose answer never came is asked about first")
        // Before the call: the request is recorded while the gateway cannot be reached, then the daemon dies.
        let unreachable = try DaemonProcess.command(["refund", "KILL-2", "20.00", "--reason", "kill", "--request-no", "R-KILL-2", "--wait", "0",
                                                     "--config", setup.config, "--alipay-gateway", "https://localhost:\(try SilentListener.refusedPort())/gateway.do"])
        #expect(unreachable.status == 6, "\(unreachable.stdout) \(unreachable.stderr)")
        #expect(try setup.sandbox.count("alipay.trade.refund", "KILL-2") == 0)
        try setup.restart()
        try setup.waitFor("SELECT group_concat(state) FROM refund_requests ORDER BY request_no", "succeeded,succeeded", seconds: 60)
        #expect(try refunded(setup, "KILL-1") == "20.00")
        #expect(try refunded(setup, "KILL-2") == "20.00")
        let calls = try setup.sandbox.calls("KILL-1"), rows = try setup.sql("SELECT method, outcome, detail FROM gateway_calls WHERE out_trade_no = 'KILL-1'")
        #expect(try setup.sandbox.count("alipay.trade.refund", "KILL-1") == 1, "confirmed by the query, not sent again: \(calls) \(rows) \(setup.daemon.log)")
        #expect(try setup.sandbox.count("alipay.trade.fastpay.refund.query", "KILL-1") >= 1)
        #expect(try setup.sandbox.count("alipay.trade.refund", "KILL-2") == 1)
    }
}

/// Two daemons on one PostgreSQL ledger send each refund once.
@Suite struct SharedRefundTests {
    @Test func twoInstancesSendEachDuplicatePaymentsRefundOnce() throws {
        let database = try PostgresServer.shared.makeDatabase()
        let setup = try ReconcilingDaemon("refund-shared", settings: ["reconcile-after = 5m"], database: database, instances: 2)
        let pairs = (1...8).map { ("PG-DUP-\($0)-A", "PG-DUP-\($0)-B", "PG-BO-\($0)") }
        for (a, b, business) in pairs {
            try setup.order(a, "7.00", businessOrder: business)
            try setup.order(b, "7.00", businessOrder: business)
        }
        for (index, (a, b, _)) in pairs.enumerated() {
            let daemon = setup.daemons[index % 2]
            try setup.sandbox.command(["pay", a, "7.00", "--notify-url", daemon.notifyURL])
            try setup.waitFor("SELECT count(*) FROM trades WHERE out_trade_no = '\(a)' AND paid", "1")
            try setup.sandbox.command(["pay", b, "7.00", "--notify-url", setup.daemons[(index + 1) % 2].notifyURL])
        }
        try setup.waitFor("SELECT count(*) FROM refund_requests WHERE state = 'succeeded'", "8", seconds: 60)
        for (a, b, _) in pairs {
            #expect(try setup.sandbox.count("alipay.trade.refund", b) == 1, "\(b) refunded more than once")
            #expect(try setup.sandbox.count("alipay.trade.refund", a) == 0)
        }
        #expect(try setup.sql("SELECT count(*) FROM shipments") == "8")
    }
}
