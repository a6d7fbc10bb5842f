import Foundation
import Testing
import TestSupport

/// `trade query` against alipay-sandbox: what Alipay verifiably answers goes
/// through the same checks, state machine and ledger as a notification, and
/// an answer that is not verified decides nothing.
@Suite(.serialized) struct TradeQueryTests {
    let directory = TemporaryDirectory("e2e-trade-query")
    let sandbox: SandboxProcess
    let config: String

    init() throws {
        sandbox = try SandboxProcess()
        config = try sandbox.daemonConfiguration(directory, ["seller-id = \(Fixtures.config.seller_id)", "gateway-timeout = 5s"])
    }

    func order(_ outTradeNo: String, _ amount: String) throws {
        let result = try DaemonProcess.command(["orders", "add", "--db", directory.file("ledger.db"), outTradeNo, amount])
        #expect(result.status == 0, "\(result.stderr)")
    }

    func query(_ outTradeNo: String, _ extra: [String] = []) throws -> ProcessResult {
        try DaemonProcess.command(["trade", "query", outTradeNo, "--config", config] + extra)
    }

    func sql(_ query: String) throws -> String {
        let result = try ChildProcess.run("sqlite3", [directory.file("ledger.db"), query])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aPaidTradeIsRecordedAndShipsAndTheLaterNotificationShipsNothing() throws {
        try order("TQ-PAID", "88.88")
        try sandbox.command(["pay", "TQ-PAID", "88.88"])
        let asked = try query("TQ-PAID")
        #expect(asked.status == 0, "\(asked.stdout) \(asked.stderr)")
        #expect(asked.stdout.contains("recorded: ship"))
        #expect(try sql("SELECT count(*) FROM shipments WHERE out_trade_no = 'TQ-PAID'") == "1")
        #expect(try sql("SELECT source FROM events WHERE id = 'TQ-PAID/ship'") == "gateway")

        // Alipay's own notification comes later: success, and no second shipment.
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        let notified = try Curl.post(daemon.notifyURL, body: SignedNotification.paid("TQ-PAID", amount: "88.88", notifyID: "tq-paid-1"))
        #expect(notified.body == "success")
        daemon.stop()
        #expect(try sql("SELECT count(*) FROM shipments") == "1")
        #expect(try sql("SELECT count(*) FROM events WHERE out_trade_no = 'TQ-PAID'") == "1")
        #expect(try sql("SELECT group_concat(source) FROM notifications WHERE out_trade_no = 'TQ-PAID' ORDER BY id") == "gateway,notification")
    }

    @Test func aFinishedTradeShipsAWaitingOneIsRecordedAndAClosedOneClosesUnpaid() throws {
        for (name, steps) in [("TQ-FIN", ["pay", "finish"]), ("TQ-WAIT", []), ("TQ-CLOSED", ["close"])] {
            try order(name, "10.00")
            try sandbox.command(["create", name, "10.00"])
            for step in steps { try sandbox.command(step == "pay" ? [step, name, "10.00"] : [step, name]) }
            let asked = try query(name)
            #expect(asked.status == 0, "\(name): \(asked.stdout) \(asked.stderr)")
        }
        #expect(try sql("SELECT status || ',' || shipped FROM trades WHERE out_trade_no = 'TQ-FIN'") == "TRADE_FINISHED,1")
        #expect(try sql("SELECT status || ',' || shipped FROM trades WHERE out_trade_no = 'TQ-WAIT'") == "WAIT_BUYER_PAY,0")
        #expect(try sql("SELECT status || ',' || close_reason || ',' || shipped FROM trades WHERE out_trade_no = 'TQ-CLOSED'")
                == "TRADE_CLOSED,unpaid,0")
        #expect(try sql("SELECT count(*) FROM events WHERE id = 'TQ-CLOSED/close'") == "1")
    }

    @Test func aTradeAlipayDoesNotHaveLeavesOnlyTheCall() throws {
        try order("TQ-NONE", "10.00")
        let asked = try query("TQ-NONE")
        #expect(asked.status == 3, "\(asked.stdout) \(asked.stderr)")
        #expect(try sql("SELECT count(*) FROM trades") == "0")
        #expect(try sql("SELECT outcome || ',' || sub_code FROM gateway_calls WHERE out_trade_no = 'TQ-NONE'") == "refused,ACQ.TRADE_NOT_EXIST")
    }

    @Test func anotherAmountIsQuarantinedWithTheAnswerKept() throws {
        try order("TQ-AMOUNT", "88.88")
        try sandbox.command(["pay", "TQ-AMOUNT", "88.00"])
        let asked = try query("TQ-AMOUNT")
        #expect(asked.status == 6, "\(asked.stdout) \(asked.stderr)")
        #expect(try sql("SELECT reason || ',' || total_amount FROM quarantine WHERE out_trade_no = 'TQ-AMOUNT'") == "amount_mismatch,88.00")
        #expect(try sql("SELECT length(raw_body) > 50 FROM quarantine WHERE out_trade_no = 'TQ-AMOUNT'") == "1")
        #expect(try sql("SELECT count(*) FROM trades") == "0")
    }

    @Test func busyAndForgedAnswersDecideNothingUntilAVerifiedOneComes() throws {
        try order("TQ-BUSY", "10.00")
        try sandbox.command(["pay", "TQ-BUSY", "10.00"])
        for fault in ["busy", "forged", "unsigned", "doubled"] {
            try sandbox.command(["fault", "TQ-BUSY", "alipay.trade.query", fault])
            let asked = try query("TQ-BUSY", ["--json"])
            #expect(asked.status == 5, "\(fault): \(asked.stdout) \(asked.stderr)")
            #expect(asked.stdout.contains("\"outcome\":\"unknown."), "\(fault): \(asked.stdout)")
            #expect(try sql("SELECT count(*) FROM trades") == "0", "\(fault)")
        }
        let asked = try query("TQ-BUSY")
        #expect(asked.status == 0, "\(asked.stdout) \(asked.stderr)")
        #expect(try sql("SELECT group_concat(outcome) FROM gateway_calls") == "unknown,unknown,unknown,unknown,succeeded")
        #expect(try sql("SELECT count(*) FROM shipments") == "1")
    }

    @Test func escapedSlashesAndUnicodeEscapesStillVerify() throws {
        try order("TQ-ESC", "10.00")
        try sandbox.command(["pay", "TQ-ESC", "10.00"])
        try sandbox.command(["fault", "TQ-ESC", "alipay.trade.query", "escaped-slashes"])
        #expect(try query("TQ-ESC").status == 0)
        try sandbox.command(["fault", "TQ-ESC", "alipay.trade.query", "unicode-escapes"])
        #expect(try query("TQ-ESC").status == 0)
        #expect(try sql("SELECT count(*) FROM shipments") == "1")
    }

    @Test func aDryRunAsksButRecordsNothing() throws {
        try order("TQ-DRY", "10.00")
        try sandbox.command(["pay", "TQ-DRY", "10.00"])
        let asked = try query("TQ-DRY", ["--dry-run"])
        #expect(asked.status == 0)
        #expect(asked.stdout.contains("not recorded (--dry-run)"))
        #expect(try sql("SELECT count(*) FROM gateway_calls") == "0")
    }

    @Test func anAppKeyAlipayDoesNotKnowIsARefusalThatNamesIt() throws {
        try order("TQ-KEY", "10.00")
        let asked = try DaemonProcess.command(["trade", "query", "TQ-KEY", "--config", config,
                                               "--app-private-key", Fixtures.path(Fixtures.unrelatedPrivateKey)])
        #expect(asked.status == 5, "\(asked.stdout) \(asked.stderr)")
        #expect(asked.stdout.contains("isv.invalid-signature"), "\(asked.stdout)")
    }

    @Test func aLedgerThatCannotRecordTheAnswerExits75NotAsAConfigurationError() throws {
        try order("TQ-LEDGER", "5.00")
        try sandbox.command(["pay", "TQ-LEDGER", "5.00"])
        // The ledger refuses the write (an operator's mistake stands in for a full disk).
        _ = try sql("DROP TABLE gateway_calls")
        let asked = try query("TQ-LEDGER")
        #expect(asked.status == 75, "\(asked.stdout) \(asked.stderr)")
        #expect(asked.stderr.contains("could not be recorded in the ledger"), "\(asked.stderr)")
        #expect(asked.stderr.contains("gateway_calls"), "the cause is named: \(asked.stderr)")
        #expect(try sql("SELECT count(*) FROM shipments WHERE out_trade_no = 'TQ-LEDGER'") == "0")
    }
}

/// check-config's harmless call: a verified "no such trade" proves the
/// chain; each usual mistake is named.
@Suite struct GatewayCheckConfigTests {
    func check(_ sandbox: SandboxProcess, _ directory: TemporaryDirectory, _ extra: [String] = []) throws -> ProcessResult {
        let config = try sandbox.daemonConfiguration(directory)
        return try DaemonProcess.command(["check-config", "--config", config] + extra)
    }

    @Test func aWorkingGatewayIsProvedByAVerifiedNoSuchTrade() throws {
        let sandbox = try SandboxProcess()
        let result = try check(sandbox, TemporaryDirectory("check-gateway-ok"))
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("gateway \(sandbox.gatewayURL): ok"))
        #expect(try sandbox.command(["calls"]).stdout.contains("ACQ.TRADE_NOT_EXIST"))
    }

    @Test func eachUsualMistakeIsNamed() throws {
        let sandbox = try SandboxProcess()
        let directory = TemporaryDirectory("check-gateway-mistakes")
        let appKey = try check(sandbox, directory, ["--app-private-key", Fixtures.path(Fixtures.unrelatedPrivateKey)])
        #expect(appKey.status == 78)
        #expect(appKey.stderr.contains("app-private-key is not the key"), "\(appKey.stderr)")
        let alipayKey = try check(sandbox, directory, ["--alipay-public-key", Fixtures.path(Fixtures.nextPublicKeyPEM)])
        #expect(alipayKey.status == 78)
        #expect(alipayKey.stderr.contains("does not verify with alipay-public-key"), "\(alipayKey.stderr)")
        let appID = try check(sandbox, directory, ["--app-id", "2021000000000999"])
        #expect(appID.stderr.contains("does not know app-id"), "\(appID.stderr)")
        let nobody = try check(sandbox, directory, ["--alipay-gateway", "http://127.0.0.1:1/gateway.do"])
        #expect(nobody.status == 78)
        #expect(nobody.stderr.contains("could not be reached"), "\(nobody.stderr)")
        let remote = try check(sandbox, directory, ["--alipay-gateway", "http://openapi.example/gateway.do"])
        #expect(remote.status == 78)
        #expect(remote.stderr.contains("alipay-gateway"), "\(remote.stderr)")
    }

    @Test func aClockFarFromAlipaysIsNamed() throws {
        let sandbox = try SandboxProcess(extra: ["--clock-offset", "3600"])
        let result = try check(sandbox, TemporaryDirectory("check-gateway-clock"))
        #expect(result.status == 78)
        #expect(result.stderr.contains("clock"), "\(result.stderr)")
    }
}

/// Certificate mode: every request carries the serial numbers computed from
/// the configured certificates, as an independent program computes them.
@Suite struct CertificateModeTests {
    @Test func requestsCarryTheCertificatesSerialNumbersAndAWrongCertificateIsNamed() throws {
        let certificates = try TestCertificates()
        let appSN = try certificates.independentSN("app", certificates.appCertificate)
        let rootSN = try certificates.independentSN("root", certificates.rootChain)
        // Answers name the certificate they are signed with, which the daemon holds (alipay-public-key).
        let sandbox = try SandboxProcess(extra: ["--app-cert-sn", appSN, "--alipay-root-cert-sn", rootSN,
                                                 "--alipay-cert", Fixtures.path(Fixtures.currentPublicCertificate)])
        let directory = TemporaryDirectory("check-gateway-certificates")
        let config = try sandbox.daemonConfiguration(directory, ["app-cert = \(certificates.appCertificate)",
                                                                 "alipay-root-cert = \(certificates.rootChain)",
                                                                 "alipay-public-key = \(Fixtures.path(Fixtures.currentPublicCertificate))"])
        let good = try DaemonProcess.command(["check-config", "--config", config])
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        let otherCertificate = try DaemonProcess.command(["check-config", "--config", config, "--app-cert", certificates.file("sha1.crt")])
        #expect(otherCertificate.status == 78)
        #expect(otherCertificate.stderr.contains("certificates"), "\(otherCertificate.stderr)")
        let half = directory.file("half.conf")
        try String(contentsOfFile: config, encoding: .utf8).replacing(/alipay-root-cert = .*\n?/, with: "")
            .write(toFile: half, atomically: true, encoding: .utf8)
        let halfConfigured = try DaemonProcess.command(["trade", "query", "X", "--config", half])
        #expect(halfConfigured.status == 78)
        #expect(halfConfigured.stderr.contains("certificate mode needs alipay-root-cert too"), "\(halfConfigured.stderr)")
    }
}

/// The gateway behind real TLS (nginx in front of the sandbox): trusted
/// through gateway-ca-file it answers; an untrusted CA, another host name
/// or an expired certificate is refused, says which, and decides nothing.
@Suite struct GatewayTLSTests {
    @Test func onlyAVerifiedTLSConnectionCarriesTheQuery() throws {
        let directory = TemporaryDirectory("e2e-gateway-tls")
        let sandbox = try SandboxProcess()
        try sandbox.command(["pay", "TLS1", "10.00"])
        let pki = TestPKI(directory)
        let ca = try pki.certificateAuthority("gateway-ca")
        let stranger = try pki.certificateAuthority("stranger-ca")
        let config = try sandbox.daemonConfiguration(directory, ["gateway-ca-file = \(ca.certificate)"])
        #expect(try DaemonProcess.command(["orders", "add", "--config", config, "TLS1", "10.00"]).status == 0)

        func query(serving certificate: TestPKI.Identity, host: String = "localhost") throws -> ProcessResult {
            let nginx = try NginxGateway(certificate: certificate, directory: directory, upstream: "127.0.0.1:\(sandbox.port)")
            defer { nginx.stop() }
            return try DaemonProcess.command(["trade", "query", "TLS1", "--config", config,
                                              "--alipay-gateway", "https://\(host):\(nginx.port)/gateway.do"])
        }
        for (name, certificate, expected) in [
            ("untrusted", try pki.server("untrusted", hostName: "localhost", issuer: stranger), "untrusted certificate"),
            ("other-host", try pki.server("other-host", hostName: "gateway.example", issuer: ca), "host name mismatch"),
            ("expired", try pki.server("expired", hostName: "localhost", issuer: ca, days: -1), "expired certificate"),
        ] {
            let refused = try query(serving: certificate)
            #expect(refused.status == 5, "\(name): \(refused.stdout) \(refused.stderr)")
            #expect(refused.stdout.contains(expected), "\(name): \(refused.stdout)")
        }
        let ledger = directory.file("ledger.db")
        #expect(try ChildProcess.run("sqlite3", [ledger, "SELECT count(*) FROM trades"]).stdout.hasPrefix("0"))
        let trusted = try query(serving: try pki.server("good", hostName: "localhost", issuer: ca))
        #expect(trusted.status == 0, "\(trusted.stdout) \(trusted.stderr)")
        #expect(try ChildProcess.run("sqlite3", [ledger, "SELECT count(*) FROM shipments"]).stdout.hasPrefix("1"))
        #expect(try ChildProcess.run("sqlite3", [ledger, "SELECT group_concat(outcome) FROM gateway_calls"]).stdout
                .hasPrefix("unknown,unknown,unknown,succeeded"))
    }
}
