import Foundation
import Testing
import TestSupport

/// The tools around the daemon, run as a person would run them.
@Suite struct CommandLineTests {
    @Test func verifyPrintsTheCanonicalStringAndExitsZeroForAValidBody() throws {
        let fixture = try #require(Fixtures.notifications.first { $0.name == "chinese_subject_and_body" })
        let result = try DaemonProcess.command(["verify", "--alipay-public-key", Fixtures.path(Fixtures.currentPublicKeyBase64)],
                                               input: Array((fixture.body + "\n").utf8))
        #expect(result.status == 0)
        #expect(result.stdout.contains(fixture.canonical!))
        #expect(result.stdout.contains("verdict: valid"))
    }

    @Test func verifyExplainsAnInvalidBodyAndExitsOne() throws {
        let fixture = try #require(Fixtures.notifications.first { $0.name == "tampered_total_amount" })
        let result = try DaemonProcess.command(["verify", "--alipay-public-key", Fixtures.path(Fixtures.currentPublicKeyPEM)],
                                               input: Array(fixture.body.utf8))
        #expect(result.status == 1)
        #expect(result.stdout.contains("INVALID (bad_signature)"))
        let duplicate = try #require(Fixtures.notifications.first { $0.name == "duplicate_out_trade_no_signed_first" })
        let ambiguous = try DaemonProcess.command(["verify", "--alipay-public-key", Fixtures.path(Fixtures.currentPublicKeyPEM)],
                                                  input: Array(duplicate.body.utf8))
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stdout.contains("appears more than once"))
    }

    @Test func signMakesBodiesThatVerifyFromPairsAndFromABody() throws {
        let pairs = "notify_id=N1\napp_id=A\nout_trade_no=O1\ntrade_status=TRADE_SUCCESS\ntotal_amount=1.00\nsubject=测试 & more\n"
        let signed = try DaemonProcess.command(["sign", "--private-key", Fixtures.path(Fixtures.currentPrivateKey)], input: Array(pairs.utf8))
        #expect(signed.status == 0, "\(signed.stderr)")
        let verified = try DaemonProcess.command(["verify", "--alipay-public-key", Fixtures.path(Fixtures.currentPublicKeyPEM)],
                                                 input: Array(signed.stdout.utf8))
        #expect(verified.status == 0, "\(verified.stdout)")
        #expect(verified.stdout.contains("subject=测试 & more"))

        // Re-sign a fixture with a new notify_time: the rest stays byte-identical.
        let fixture = try #require(Fixtures.notifications.first { $0.name == "gbk_chinese" })
        let resigned = try DaemonProcess.command(["sign", "--private-key", Fixtures.path(Fixtures.currentPrivateKey),
                                                  "--set", "notify_time=2024-06-03 02:35:00"], input: Array(fixture.body.utf8))
        #expect(resigned.status == 0, "\(resigned.stderr)")
        #expect(resigned.stdout != fixture.body)
        #expect(resigned.stdout.contains("notify_time=2024-06-03+02%3A35%3A00"))
        let check = try DaemonProcess.command(["verify", "--alipay-public-key", Fixtures.path(Fixtures.currentPublicKeyPEM)],
                                              input: Array(resigned.stdout.utf8))
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("charset: GBK"))
    }

    @Test func ordersAddAndListWithClearErrors() throws {
        let directory = TemporaryDirectory("cli-orders")
        let db = directory.file("ledger.db")
        #expect(try DaemonProcess.command(["orders", "add", "--db", db, "ORDER1", "88.8", "--business-order", "B1"]).status == 0)
        let list = try DaemonProcess.command(["orders", "list", "--db", db, "--json"])
        #expect(list.stdout.contains("\"out_trade_no\":\"ORDER1\",\"total_amount\":\"88.80\",\"business_order\":\"B1\""))
        let badAmount = try DaemonProcess.command(["orders", "add", "--db", db, "ORDER2", "88.888"])
        #expect(badAmount.status != 0)
        #expect(badAmount.stderr.contains("at most two decimals"))
        for nothing in ["0.00", "0", "100000000.01"] {
            let outside = try DaemonProcess.command(["orders", "add", "--db", db, "ORDER3", nothing])
            #expect(outside.status != 0)
            #expect(outside.stderr.contains("outside 0.01 to 100000000.00 yuan"), "\(outside.stderr)")
        }
        #expect(!(try DaemonProcess.command(["orders", "list", "--db", db, "--json"]).stdout.contains("ORDER3")))
        let changed = try DaemonProcess.command(["orders", "add", "--db", db, "ORDER1", "1.00", "--business-order", "B1"])
        #expect(changed.status == 1)
        #expect(changed.stderr.contains("already registered with amount 88.80"))
    }

    @Test func ordersListPrintsTheOrderDocumentOfTradeShow() throws {
        let directory = TemporaryDirectory("cli-order-json")
        let db = directory.file("ledger.db")
        #expect(try DaemonProcess.command(["orders", "add", "--db", db, "ORDER1", "88.8", "--business-order", "B1"]).status == 0)
        #expect(try DaemonProcess.command(["orders", "add", "--db", db, "ORDER2", "1.00"]).status == 0)
        let lines = try DaemonProcess.command(["orders", "list", "--db", db, "--json"]).stdout.split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines {
            let document = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let outTradeNo = try #require(document["out_trade_no"] as? String)
            let show = try DaemonProcess.command(["trade", "show", "--db", db, outTradeNo, "--json"])
            #expect(show.status == 0)
            #expect(show.stdout.contains("\"order\":\(line),"), "orders list: \(line)\ntrade show: \(show.stdout)")
            let trade = try #require(JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            #expect((trade["order"] as? NSDictionary) == (document as NSDictionary))
        }
    }

    @Test func eventsClaimAcceptsJSONLikeEveryCommandThatPrintsIt() throws {
        let directory = TemporaryDirectory("cli-claim-json")
        let db = directory.file("ledger.db")
        #expect(try DaemonProcess.command(["orders", "add", "--db", db, "J1", "10.00"]).status == 0)
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        #expect(try Curl.post(daemon.notifyURL, body: SignedNotification.paid("J1", amount: "10.00", notifyID: "NJ1")).body == "success")
        #expect(daemon.stop() == 0)
        let claimed = try DaemonProcess.command(["events", "claim", "--db", db, "--json"])
        #expect(claimed.status == 0, "\(claimed.stderr)")
        let line = try #require(claimed.stdout.split(separator: "\n").first)
        let event = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(event["id"] as? String == "J1/ship")
    }

    @Test func aBrokenConfigFileIsRefusedWithTheLineAndTheFix() throws {
        let directory = TemporaryDirectory("cli-config")
        let config = directory.file("bad.conf")
        try "# comment\nlisten = 127.0.0.1:0\nlisen = 1\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try DaemonProcess.command(["serve", "--config", config])
        #expect(result.status == 78)
        #expect(result.stderr.contains("bad.conf:3: unknown setting 'lisen' (did you mean 'listen'?)"), "\(result.stderr)")

        try "app-id = 1\nalipay-public-key = missing.pem\n".write(toFile: config, atomically: true, encoding: .utf8)
        let missingKey = try DaemonProcess.command(["serve", "--config", config, "--listen", "127.0.0.1:0"])
        #expect(missingKey.status == 78)
        #expect(missingKey.stderr.contains("missing.pem"), "\(missingKey.stderr)")
        #expect(missingKey.stderr.contains("No such file or directory"))
    }

    @Test func theExampleConfigurationsAreValid() throws {
        for name in ["alipay-notifyd.conf", "demo.conf"] {
            let path = Fixtures.packageRoot.appendingPathComponent("Config/\(name)").path
            let result = try DaemonProcess.command(["check-config", "--config", path, "--syntax-only"])
            #expect(result.status == 0, "\(name): \(result.stdout) \(result.stderr)")
        }
    }

    @Test func helpTeaches() throws {
        let help = try DaemonProcess.command(["help", "serve"])
        #expect(help.stdout.contains("--alipay-public-key"))
        #expect(help.stdout.contains("422"))
    }

    @Test func refundAndSerialHelpListTheirExitStatuses() throws {
        for command in [["refund", "--help"], ["refund", "request", "--help"], ["refund", "retry", "--help"]] {
            let help = try DaemonProcess.command(command).stdout
            for status in ["0   succeeded", "3   refused", "4   failed", "5   attention", "6   pending", "78  the configuration"] {
                #expect(help.contains(status), "\(command.joined(separator: " ")) does not list '\(status)'")
            }
        }
        let serial = try DaemonProcess.command(["orders", "new-serial", "--help"]).stdout
        #expect(serial.contains("already paid") && serial.contains("unknown"))
    }
}
