import Foundation
import Testing
import TestSupport

/// Handing paid orders to fulfillment, with the real binary: sinks, a
/// kill -9 between commit and delivery, payment serials, refunds, and the
/// operator tools (admin listener and CLI).
@Suite struct FulfillmentTests {
    static func waitUntil(seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    static func sinkArguments(_ url: String) -> [String] {
        ["--sink", "http", "--sink-url", url, "--sink-retry-base", "100ms", "--sink-retry-max", "1s", "--sink-timeout", "2s"]
    }

    @Test func anEventCommittedButNotDeliveredWhenTheDaemonIsKilledIsDeliveredAfterTheRestart() throws {
        let directory = TemporaryDirectory("e2e-kill")
        _ = try DaemonProcess.command(["orders", "add", "--db", directory.file("ledger.db"), "K1", "12.34"])
        let sink = try ScriptedSinkServer(script: [], then: .status(500)) // the warehouse is down
        var daemon: DaemonProcess? = try DaemonProcess(
            arguments: DaemonProcess.fixtureArguments(directory, extra: Self.sinkArguments(sink.url)), directory: directory)
        #expect(try Curl.post(daemon!.notifyURL, body: SignedNotification.paid("K1", amount: "12.34", notifyID: "NK1")).body == "success")
        #expect(Self.waitUntil { sink.requests.count >= 1 })
        #expect(daemon!.stop(signal: SIGKILL) != 0)
        daemon = nil
        #expect(try ChildProcess.run("sqlite3", [directory.file("ledger.db"), "SELECT state FROM events WHERE id = 'K1/ship'"]).stdout == "pending\n")

        sink.setFallback(.status(200)) // the warehouse is back
        let restarted = try DaemonProcess(
            arguments: DaemonProcess.fixtureArguments(directory, extra: Self.sinkArguments(sink.url)), directory: directory)
        #expect(try Self.waitUntil { try restarted.sql("SELECT state FROM events WHERE id = 'K1/ship'") == "delivered" })
        let keys = Set(sink.requests.map(\.idempotencyKey))
        #expect(keys == ["K1/ship"]) // every attempt, before and after the kill, carried the same key
        #expect(try restarted.sql("SELECT count(*) FROM shipments") == "1")
        #expect(restarted.stop() == 0)
    }

    @Test func theExecSinkRunsTheMerchantsScriptWithTheEvent() throws {
        let directory = TemporaryDirectory("e2e-exec")
        let script = directory.file("fulfil.sh")
        try """
            #!/bin/sh
            # Records what it was given, as a merchant's fulfillment script would act on it.
            cat > "\(directory.path)/received-$ALIPAY_OUT_TRADE_NO-$ALIPAY_EVENT_KIND.json"
            echo "$ALIPAY_EVENT_ID $ALIPAY_AMOUNT" >> "\(directory.path)/received.log"
            """.write(toFile: script, atomically: true, encoding: .utf8)
        _ = try ChildProcess.run("chmod", ["+x", script])
        _ = try DaemonProcess.command(["orders", "add", "--db", directory.file("ledger.db"), "X1", "99.00"])
        let daemon = try DaemonProcess(
            // A long sink timeout: on a loaded machine (the sanitizer runs) a
            // timed-out attempt would be retried, by design, and run twice.
            arguments: DaemonProcess.fixtureArguments(directory, extra: ["--sink", "exec", "--sink-command", script, "--sink-timeout", "120s"]),
            directory: directory)
        #expect(try Curl.post(daemon.notifyURL, body: SignedNotification.paid("X1", amount: "99.00", notifyID: "NX1")).body == "success")
        let log = directory.file("received.log")
        // The script's line, once it is whole (the file exists a moment
        // before its line is written).
        #expect(Self.waitUntil { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").hasSuffix("\n") })
        let received = try String(contentsOfFile: log, encoding: .utf8)
        #expect(received == "X1/ship 99.00\n", "\(received.debugDescription); daemon log:\n\(daemon.log.suffix(3000))")
        let document = try String(contentsOfFile: directory.file("received-X1-ship.json"), encoding: .utf8)
        #expect(document.contains("\"out_trade_no\":\"X1\"") && document.contains("\"amount_fen\":9900"))
        // Stop only once the delivery is recorded: no child process in flight at SIGTERM.
        #expect(Self.waitUntil(seconds: 120) { (try? daemon.sql("SELECT state FROM events WHERE id = 'X1/ship'")) == "delivered" })
        let status = daemon.stop()
        #expect(status == 0, "daemon log:\n\(daemon.log.suffix(6000))")
    }

    @Test func twoPaidSerialsOfOneBusinessOrderShipOnceAndFlagTheDuplicatePayment() throws {
        let directory = TemporaryDirectory("e2e-serials")
        let db = directory.file("ledger.db")
        _ = try DaemonProcess.command(["orders", "add", "--db", db, "SERIAL-1", "50.00", "--business-order", "TICKET-9"])
        _ = try DaemonProcess.command(["orders", "add", "--db", db, "SERIAL-2", "50.00", "--business-order", "TICKET-9"])
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        #expect(try Curl.post(daemon.notifyURL, body: SignedNotification.paid("SERIAL-1", amount: "50.00", notifyID: "NS1")).body == "success")
        #expect(try Curl.post(daemon.notifyURL, body: SignedNotification.paid("SERIAL-2", amount: "50.00", notifyID: "NS2")).body == "success")
        #expect(try daemon.sql("SELECT kind FROM events ORDER BY seq") == "ship\nduplicate_payment")
        #expect(try daemon.sql("SELECT out_trade_no FROM shipments") == "SERIAL-1")
        let events = try DaemonProcess.command(["events", "list", "--db", db, "--kind", "duplicate_payment", "--json"])
        #expect(events.stdout.contains("\"id\":\"SERIAL-2/duplicate_payment\""))
        #expect(events.stdout.contains("\"business_order\":\"TICKET-9\""))
        #expect(daemon.stop() == 0)
    }

    @Test func twoPartialRefundsThenAFullRefundGiveTwoRefundEventsAndOneClose() throws {
        let scenario = try #require(Fixtures.scenarios.first { $0.name == "two_partial_refunds_then_full_refund" })
        let directory = TemporaryDirectory("e2e-refunds")
        for order in scenario.orders {
            _ = try DaemonProcess.command(["orders", "add", "--db", directory.file("ledger.db"), order.out_trade_no, order.total_amount])
        }
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        for step in scenario.steps {
            #expect(try Curl.post(daemon.notifyURL, body: step.body).body == "success")
        }
        #expect(try daemon.sql("SELECT kind || ':' || amount_fen FROM events ORDER BY seq") == "ship:10000\nrefund:3000\nrefund:2000\nclose:10000")
        #expect(daemon.stop() == 0)
    }

    @Test func theAdminListenerRegistersOrdersAndAnswersWhatHappenedToAnOrder() throws {
        let directory = TemporaryDirectory("e2e-admin")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        #expect(daemon.adminPort != 0)
        #expect(daemon.adminPort != daemon.port)
        let json = ["-H", "Content-Type: application/json"]
        let created = try Curl.post(daemon.adminURL + "/orders", body: "{\"out_trade_no\":\"A1\",\"total_amount\":\"20.00\"}", extraArguments: json)
        #expect(created.status == 201)
        #expect(created.body.contains("\"total_fen\":2000"))
        #expect(try Curl.post(daemon.adminURL + "/orders", body: "{\"out_trade_no\":\"A1\",\"total_amount\":\"20.00\"}", extraArguments: json).status == 200)
        #expect(try Curl.post(daemon.adminURL + "/orders", body: "{\"out_trade_no\":\"A1\",\"total_amount\":\"21.00\"}", extraArguments: json).status == 409)
        let floating = try Curl.post(daemon.adminURL + "/orders", body: "{\"out_trade_no\":\"A2\",\"total_amount\":20.1}", extraArguments: json)
        #expect(floating.status == 400)
        #expect(floating.body.contains("must be a string"))
        let nothing = try Curl.post(daemon.adminURL + "/orders", body: "{\"out_trade_no\":\"A3\",\"total_amount\":\"0.00\"}", extraArguments: json)
        #expect(nothing.status == 400)
        #expect(nothing.body.contains("0.01 to 100000000.00"), "\(nothing.body)")
        #expect(try Curl.get(daemon.adminURL + "/trades/A3").status == 404)
        #expect(try Curl.post(daemon.adminURL + "/orders", body: "not json", extraArguments: json).status == 400)

        #expect(try Curl.post(daemon.notifyURL, body: SignedNotification.paid("A1", amount: "20.00", notifyID: "NA1")).body == "success")
        let trade = try Curl.get(daemon.adminURL + "/trades/A1")
        #expect(trade.status == 200)
        #expect(trade.body.contains("\"shipped\":true"))
        #expect(trade.body.contains("\"notify_id\":\"NA1\""))
        #expect(trade.body.contains("\"id\":\"A1/ship\""))
        #expect(try Curl.get(daemon.adminURL + "/trades/NOPE").status == 404)

        let pending = try Curl.get(daemon.adminURL + "/events?state=pending")
        #expect(pending.body.contains("\"id\":\"A1/ship\""))
        #expect(try Curl.get(daemon.adminURL + "/events?state=weird").status == 400)
        #expect(try Curl.post(daemon.adminURL + "/events/A1%2Fship/redeliver", body: "", extraArguments: json).status == 409) // pending, not dead
        #expect(try Curl.post(daemon.adminURL + "/events/NOPE%2Fship/redeliver", body: "", extraArguments: json).status == 404)
        // The admin routes do not exist on the notify port.
        #expect(try Curl.get(daemon.url + "/trades/A1").status == 404)
        #expect(daemon.stop() == 0)
    }

    @Test func aConsumerOfTheNoneSinkClaimsAndAcknowledgesWithTheCLI() throws {
        let directory = TemporaryDirectory("e2e-claim")
        let db = directory.file("ledger.db")
        _ = try DaemonProcess.command(["orders", "add", "--db", db, "C1", "10.00"])
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        #expect(try Curl.post(daemon.notifyURL, body: SignedNotification.paid("C1", amount: "10.00", notifyID: "NC1")).body == "success")
        #expect(try Curl.post(daemon.notifyURL, body: SignedNotification.paid("C1", amount: "10.00", notifyID: "NC2", status: "TRADE_CLOSED",
                                                                              extra: [("refund_fee", "10.00"), ("gmt_payment", "2024-06-03 02:30:10")])).body == "success")

        let claimed = try DaemonProcess.command(["events", "claim", "--db", db, "--lease", "60"])
        #expect(claimed.status == 0)
        #expect(claimed.stdout.contains("\"id\":\"C1/ship\""))
        #expect(!claimed.stdout.contains("C1/close")) // after the ship only
        #expect(try DaemonProcess.command(["events", "claim", "--db", db]).stdout.isEmpty) // leased
        #expect(try DaemonProcess.command(["events", "ack", "--db", db, "C1/ship"]).status == 0)
        #expect(try DaemonProcess.command(["events", "claim", "--db", db]).stdout.contains("\"id\":\"C1/close\""))
        let ackAgain = try DaemonProcess.command(["events", "ack", "--db", db, "C1/ship"])
        #expect(ackAgain.status == 1)
        #expect(ackAgain.stderr.contains("is delivered, not pending"))

        let show = try DaemonProcess.command(["trade", "show", "--db", db, "C1"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("closed (refunded)"))
        #expect(show.stdout.contains("C1/ship"))
        #expect(show.stdout.contains("NC2"))
        let list = try DaemonProcess.command(["events", "list", "--db", db, "--state", "delivered"])
        #expect(list.stdout.contains("C1/ship"))
        #expect(!list.stdout.contains("C1/close"))
        #expect(try DaemonProcess.command(["trade", "show", "--db", db, "NOPE"]).status == 1)
        #expect(daemon.stop() == 0)
    }

    @Test func aSlowSinkHoldingAThousandPendingEventsCostsTheDaemonNoCPU() throws {
        let corpus = try SignedCorpus.paid(count: 1000, seed: 26)
        let directory = TemporaryDirectory("e2e-slow-sink")
        // The sink takes every POST and answers none within the attempt's 5 s.
        let sink = try ScriptedSinkServer(script: [], then: .hang)
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, extra: [
            "--accept-unknown-orders", "--sink", "http", "--sink-url", sink.url, "--sink-timeout", "5s", "--sink-concurrency", "4"]),
            directory: directory)
        #expect(KeepAliveLoad.post(corpus, port: daemon.port, connections: 4).allSatisfy { $0.body == "success" })
        #expect(Self.waitUntil(seconds: 10) { sink.requests.count >= 4 }, "every delivery thread waits on the sink")
        let before = ProcessCPU.seconds(of: daemon.process.processIdentifier)
        Thread.sleep(forTimeInterval: 3)
        let spent = ProcessCPU.seconds(of: daemon.process.processIdentifier) - before
        print("outbox: 1,000 pending events and a sink that holds all 4 deliveries: the daemon used \(Int(spent * 1000)) ms of CPU in 3 s")
        #expect(spent < 0.1, "the daemon spent \(spent) s of CPU in 3 s while its sink was slow")
        #expect(sink.requests.count == 4, "no more attempts at once than delivery threads")
        #expect(try daemon.sql("SELECT count(*) FROM events WHERE state = 'pending'") == "1000")
        #expect(daemon.stop() == 0)
    }

    @Test func sinkSettingsThatCannotWorkAreRefusedAtStart() throws {
        let directory = TemporaryDirectory("e2e-sinkconfig")
        let noURL = try DaemonProcess.command(DaemonProcess.fixtureArguments(directory, extra: ["--sink", "http"]))
        #expect(noURL.status == 78)
        #expect(noURL.stderr.contains("no 'sink-url' is set"))
        let ftp = try DaemonProcess.command(DaemonProcess.fixtureArguments(directory, extra: ["--sink", "http", "--sink-url", "ftp://x/y"]))
        #expect(ftp.status == 78)
        #expect(ftp.stderr.contains("sink-url") && ftp.stderr.contains("'ftp://x/y'") && ftp.stderr.contains("not http or https"), "\(ftp.stderr)")
        let noCA = try DaemonProcess.command(DaemonProcess.fixtureArguments(
            directory, extra: ["--sink", "http", "--sink-url", "https://x/y", "--sink-ca-file", directory.file("no-such-ca.pem")]))
        #expect(noCA.status == 78)
        #expect(noCA.stderr.contains("sink-ca-file"))
        let publicAdmin = try DaemonProcess.command(DaemonProcess.fixtureArguments(directory, extra: ["--admin-listen", "0.0.0.0:9999"]))
        #expect(publicAdmin.status == 78)
        #expect(publicAdmin.stderr.contains("not a loopback address"))
    }
}
