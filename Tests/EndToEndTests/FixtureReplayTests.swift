import Foundation
import Testing
import TestSupport

/// Every fixture and every scenario, posted with real curl to the real
/// binary on a real SQLite file.
@Suite struct FixtureReplayTests {
    @Test func everyFixtureGetsItsAnswerOverHTTP() throws {
        let directory = TemporaryDirectory("e2e-fixtures")
        // Seed one order per valid case from its own out_trade_no and total_amount.
        for fixture in Fixtures.notifications where fixture.isValid {
            let outTradeNo = try #require(Fixtures.parameter("out_trade_no", in: fixture.body))
            let amount = try #require(Fixtures.parameter("total_amount", in: fixture.body))
            let result = try DaemonProcess.command(["orders", "add", "--db", directory.file("ledger.db"), outTradeNo, amount])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let daemon = try DaemonProcess(
            arguments: DaemonProcess.fixtureArguments(directory, extra: ["--alipay-public-key", Fixtures.path(Fixtures.nextPublicKeyPEM)]),
            directory: directory
        )
        for fixture in Fixtures.notifications {
            let reply = try Curl.post(daemon.notifyURL, body: fixture.body)
            #expect(reply.body == (fixture.isValid ? "success" : "fail"), "\(fixture.name): \(reply.status) \(reply.body)")
            #expect(reply.status == (fixture.isValid ? 200 : 400), "\(fixture.name)")
        }
        // Paid states shipped; WAIT_BUYER_PAY and TRADE_CLOSED did not.
        let paid = Fixtures.notifications.filter {
            $0.isValid && ["TRADE_SUCCESS", "TRADE_FINISHED"].contains(Fixtures.parameter("trade_status", in: $0.body) ?? "")
        }
        #expect(try daemon.sql("SELECT count(*) FROM shipments") == "\(paid.count)")
        #expect(try daemon.sql("SELECT count(*) FROM notifications") == "\(Fixtures.notifications.filter(\.isValid).count)")
        // Bad signatures are not stored anywhere as data.
        #expect(try daemon.sql("SELECT count(*) FROM quarantine") == "0")
        #expect(daemon.stop() == 0)
    }

    @Test(arguments: Fixtures.scenarios)
    func scenarioEndsInTheExpectedLedger(_ scenario: Fixtures.Scenario) throws {
        let directory = TemporaryDirectory("e2e-scenario")
        for order in scenario.orders {
            let result = try DaemonProcess.command(["orders", "add", "--db", directory.file("ledger.db"), order.out_trade_no, order.total_amount])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        for (index, step) in scenario.steps.enumerated() {
            let reply = try Curl.post(daemon.notifyURL, body: step.body)
            #expect(reply.body == step.expect_reply, "step \(index + 1) (\(step.note)): got \(reply.status) \(reply.body)")
        }
        for (outTradeNo, shipments) in scenario.expect.shipments {
            #expect(try daemon.sql("SELECT count(*) FROM shipments WHERE out_trade_no = '\(outTradeNo)'") == "\(shipments)", "shipments of \(outTradeNo)")
        }
        #expect(try daemon.sql("SELECT count(*) FROM events WHERE kind = 'refund'") == "\(scenario.expect.refund_events)")
        let closed = try daemon.sql("SELECT out_trade_no FROM trades WHERE close_reason IS NOT NULL ORDER BY 1")
        #expect(closed == scenario.expect.closed.sorted().joined(separator: "\n"))
        #expect(daemon.stop() == 0)
    }
}
