import Foundation
import Testing
import TestSupport

/// The receiver as a merchant runs it: concurrency, limits, hostile bytes,
/// the answers and the stop.
@Suite struct ReceiverTests {
    static let paidFixture = Fixtures.notifications.first { $0.name == "trade_success_plain" }!

    static func startWithPaidOrder(_ name: String, extra: [String] = []) throws -> DaemonProcess {
        let directory = TemporaryDirectory(name)
        let outTradeNo = Fixtures.parameter("out_trade_no", in: paidFixture.body)!
        let amount = Fixtures.parameter("total_amount", in: paidFixture.body)!
        _ = try DaemonProcess.command(["orders", "add", "--db", directory.file("ledger.db"), outTradeNo, amount])
        return try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, extra: extra), directory: directory)
    }

    @Test func sixtyFourCurlsPostingTheSamePaidNotificationAtOnceShipOnce() throws {
        let daemon = try Self.startWithPaidOrder("e2e-64")
        let bodyFile = daemon.directory.file("body.txt")
        try Data(Self.paidFixture.body.utf8).write(to: URL(fileURLWithPath: bodyFile))
        // 64 curl processes started together, each posting the same body.
        let script = """
            for i in $(seq 64); do
              curl -s --max-time 20 --data-binary @\(bodyFile) \(daemon.notifyURL) > \(daemon.directory.path)/reply.$i &
            done
            wait
            for f in \(daemon.directory.path)/reply.*; do cat "$f"; echo; done | sort | uniq -c
            """
        let result = try ChildProcess.run("bash", ["-c", script], timeout: 60)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "64 success", "\(result.stdout)")
        #expect(try daemon.sql("SELECT count(*) FROM shipments") == "1")
        #expect(try daemon.sql("SELECT count(*) FROM events WHERE kind = 'ship'") == "1")
        #expect(try daemon.sql("SELECT count(*) FROM notifications") == "1")
        #expect(daemon.stop() == 0)
    }

    @Test func aBodyOverTheLimitIs413AndTheDaemonKeepsServing() throws {
        let daemon = try Self.startWithPaidOrder("e2e-413", extra: ["--max-body-size", "64KiB"])
        let big = String(repeating: "a=b&", count: 40_000) // 160 KB
        let reply = try Curl.post(daemon.notifyURL, body: big)
        #expect(reply.status == 413)
        #expect(try Curl.post(daemon.notifyURL, body: Self.paidFixture.body).body == "success")
        #expect(daemon.stop() == 0)
    }

    @Test func garbageIs400AndTheDaemonKeepsServing() throws {
        let daemon = try Self.startWithPaidOrder("e2e-garbage")
        for garbage: [UInt8] in [Array("\u{0}\u{1}\u{2}garbage\r\n\r\n".utf8), Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8),
                                 [0x16, 0x03, 0x01, 0x00, 0x10] + Array(repeating: 0xAA, count: 32)] {
            let client = try TCPClient(port: daemon.port)
            try client.send(garbage)
            let (bytes, closed) = client.readUntilClose()
            let status = TestResponse.parseAll(bytes).first?.status
            #expect(status == 400 || status == 505)
            #expect(closed)
        }
        #expect(try Curl.post(daemon.notifyURL, body: Self.paidFixture.body).body == "success")
        #expect(daemon.stop() == 0)
    }

    @Test func curlDoesNotStallOnExpectContinueForARealNotification() throws {
        let daemon = try Self.startWithPaidOrder("e2e-expect")
        #expect(Self.paidFixture.body.utf8.count > 1024) // so curl sends Expect: 100-continue on its own
        let reply = try Curl.post(daemon.notifyURL, body: Self.paidFixture.body)
        #expect(reply.body == "success")
        #expect(reply.seconds < 0.5, "took \(reply.seconds)s")
        #expect(daemon.stop() == 0)
    }

    @Test func theQueryStringOfTheNotifyURLIsIgnored() throws {
        let daemon = try Self.startWithPaidOrder("e2e-query")
        let reply = try Curl.post(daemon.notifyURL + "?total_amount=0.01&sign=forged", body: Self.paidFixture.body)
        #expect(reply.body == "success")
        #expect(try daemon.sql("SELECT total_fen FROM shipments") == "8888")
        #expect(daemon.stop() == 0)
    }

    @Test func answersTellAPersonWhy() throws {
        let daemon = try Self.startWithPaidOrder("e2e-answers")
        let unknown = try #require(Fixtures.scenarios.first { $0.name == "unknown_order" }?.steps.first?.body)
        let answer = try Curl.post(daemon.notifyURL, body: unknown, extraArguments: ["-i"])
        #expect(answer.status == 422)
        #expect(answer.body.contains("X-Notifyd-Reason: unknown_order"))
        #expect(try daemon.sql("SELECT reason FROM quarantine") == "unknown_order")
        let tampered = try #require(Fixtures.notifications.first { $0.name == "tampered_total_amount" }?.body)
        let forged = try Curl.post(daemon.notifyURL, body: tampered, extraArguments: ["-i"])
        #expect(forged.status == 400)
        #expect(forged.body.contains("X-Notifyd-Reason: bad_signature"))
        #expect(try Curl.get(daemon.url + "/healthz").body == "ok\n")
        #expect(try Curl.get(daemon.url + "/other").status == 404)
        #expect(try Curl.get(daemon.notifyURL).status == 405)
        #expect(daemon.stop() == 0)
    }

    @Test func sigtermStopsCleanlyAndTheLedgerIsIntact() throws {
        let daemon = try Self.startWithPaidOrder("e2e-stop")
        #expect(try Curl.post(daemon.notifyURL, body: Self.paidFixture.body).body == "success")
        #expect(daemon.stop(signal: SIGINT) == 0)
        #expect(daemon.log.contains("stopped"))
        #expect(try daemon.sql("PRAGMA integrity_check") == "ok")
        #expect(try daemon.sql("SELECT count(*) FROM shipments") == "1")
    }
}
