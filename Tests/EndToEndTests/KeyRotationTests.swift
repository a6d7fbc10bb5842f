import Foundation
import Testing
import TestSupport

/// Alipay rotates the key it signs with: the one key set the daemon holds
/// follows, for notifications and for the answers of its calls alike.
@Suite struct KeyRotationTests {
    let pki: AlipayRotationPKI
    let directory = TemporaryDirectory("e2e-rotation")

    init() throws {
        pki = try AlipayRotationPKI()
    }

    static func sn(_ mode: String, _ path: String) throws -> String {
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Differential/certificate_sn.py").path
        let result = try ChildProcess.run("/usr/bin/python3", [script, mode, path])
        guard result.status == 0 else { throw TestError("certificate_sn.py: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func sql(_ query: String) throws -> String {
        try ChildProcess.run("sqlite3", [directory.file("ledger.db"), query]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func waitFor(_ query: String, _ expected: String, seconds: Double = 30) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try sql(query) == expected { return true }
            usleep(100_000)
        }
        return false
    }

    func order(_ outTradeNo: String, paidAt sandbox: SandboxProcess, config: String) throws {
        let added = try DaemonProcess.command(["orders", "add", "--config", config, outTradeNo, "10.00", "--expires-in", "10m"])
        try #require(added.status == 0, "\(added.stderr)")
        try sandbox.command(["pay", outTradeNo, "10.00"])
    }

    func start(_ config: String) throws -> DaemonProcess {
        try DaemonProcess(arguments: ["serve", "--config", config, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"],
                          directory: directory)
    }

    static let pace = ["reconcile-after = 1s", "attention-after = 5m", "gateway-rate = 50", "gateway-timeout = 5s"]

    @Test func aKeyPutInForceBySighupVerifiesTheAnswersOfTheCallsToo() throws {
        let sandbox = try SandboxProcess(extra: ["--rotate-cert-after", "1", "--next-alipay-private-key", pki.nextPrivateKey])
        let config = try sandbox.daemonConfiguration(directory, Self.pace)
        try order("ROT-A", paidAt: sandbox, config: config)
        let daemon = try start(config)
        #expect(try waitFor("SELECT state FROM orders WHERE out_trade_no = 'ROT-A'", "paid"), "\(daemon.log)")

        // Alipay signs with its next key from now on: answers do not verify under the configured one.
        try order("ROT-B", paidAt: sandbox, config: config)
        #expect(try waitFor("SELECT count(*) > 0 FROM gateway_calls WHERE out_trade_no = 'ROT-B' AND outcome = 'unknown'", "1"))
        #expect(try sql("SELECT state FROM orders WHERE out_trade_no = 'ROT-B'") == "open")

        // The operator adds the new key and reloads: the calls' answers verify with it, not only notifications.
        try (String(contentsOfFile: config, encoding: .utf8) + "\nalipay-public-key = \(pki.nextPublicKey)\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(OperationsTests.waitUntil { daemon.log.contains("configuration reloaded") })
        #expect(try waitFor("SELECT state FROM orders WHERE out_trade_no = 'ROT-B'", "paid"), "\(daemon.log)")
        #expect(try sql("SELECT count(*) FROM shipments WHERE out_trade_no IN ('ROT-A', 'ROT-B')") == "2")
        _ = daemon.stop()
    }

    func certificateMode(nextCertificate: String) throws -> (SandboxProcess, String) {
        let sandbox = try SandboxProcess(extra: [
            "--app-cert-sn", try Self.sn("app", pki.appCertificate), "--alipay-root-cert-sn", try Self.sn("root", pki.root),
            "--alipay-cert", pki.currentCertificate, "--rotate-cert-after", "1",
            "--next-alipay-private-key", pki.nextPrivateKey, "--next-alipay-cert", nextCertificate,
        ])
        let config = try sandbox.daemonConfiguration(directory, Self.pace + [
            "alipay-public-key = \(pki.currentCertificate)", "app-cert = \(pki.appCertificate)", "alipay-root-cert = \(pki.root)",
        ])
        return (sandbox, config)
    }

    @Test func aNewAlipayCertificateIsFetchedCheckedAndServesAnswersAndNotifications() throws {
        let (sandbox, config) = try certificateMode(nextCertificate: pki.nextCertificate)
        try order("CERT-A", paidAt: sandbox, config: config)
        let daemon = try start(config)
        #expect(try waitFor("SELECT state FROM orders WHERE out_trade_no = 'CERT-A'", "paid"), "\(daemon.log)")
        // Answers now name the next certificate: fetched, checked against the root, and used.
        try order("CERT-B", paidAt: sandbox, config: config)
        #expect(try waitFor("SELECT state FROM orders WHERE out_trade_no = 'CERT-B'", "paid"), "\(daemon.log)")
        let nextSN = try Self.sn("app", pki.nextCertificate)
        #expect(daemon.log.contains("Alipay signs with a new certificate \(nextSN)"), "\(daemon.log)")
        #expect(try sandbox.calls().filter { $0.method == "alipay.open.app.alipaycert.download" }.count == 1)
        // Alipay's notifications are signed with the new key too: the fetched certificate verifies them.
        let added = try DaemonProcess.command(["orders", "add", "--db", directory.file("ledger.db"), "CERT-C", "10.00"])
        #expect(added.status == 0)
        let input = SignedNotification.fields(outTradeNo: "CERT-C", amount: "10.00", notifyID: "cert-c-1").map { "\($0.0)=\($0.1)" }
            .joined(separator: "\n") + "\n"
        let signed = try DaemonProcess.command(["sign", "--private-key", pki.nextPrivateKey], input: Array(input.utf8))
        #expect(try Curl.post(daemon.notifyURL, body: signed.stdout).body == "success")
        _ = daemon.stop()
    }

    @Test func aNewCertificateThatDoesNotChainToTheRootDecidesNothing() throws {
        let (sandbox, config) = try certificateMode(nextCertificate: pki.nextCertificateOfAnotherRoot)
        try order("ROGUE-A", paidAt: sandbox, config: config)
        let daemon = try start(config)
        #expect(try waitFor("SELECT state FROM orders WHERE out_trade_no = 'ROGUE-A'", "paid"), "\(daemon.log)")
        try order("ROGUE-B", paidAt: sandbox, config: config)
        let refused = try waitFor("SELECT count(*) > 0 FROM gateway_calls WHERE out_trade_no = 'ROGUE-B' AND outcome = 'unknown' AND detail LIKE '%not trusted%'", "1")
        let calls = try sql("SELECT outcome, detail FROM gateway_calls WHERE out_trade_no = 'ROGUE-B'")
        #expect(refused, "\(calls)")
        #expect(try sql("SELECT state FROM orders WHERE out_trade_no = 'ROGUE-B'") == "open")
        #expect(try sql("SELECT count(*) FROM shipments WHERE out_trade_no = 'ROGUE-B'") == "0")
        #expect(daemon.log.contains("which is not believed"), "\(daemon.log)")
        _ = daemon.stop()
    }
}
