import Foundation
import Observability
import TestSupport
import Testing

/// Running under systemd, reloading, stopping, and what an operator scrapes.
@Suite struct OperationsTests {
    /// A config file for a daemon on the fixture identity with `keys`.
    static func writeConfig(_ directory: TemporaryDirectory, keys: [String], extra: String = "") throws -> String {
        let path = directory.file("alipay-notifyd.conf")
        let text = """
            listen = 127.0.0.1:0
            admin-listen = 127.0.0.1:0
            db = \(directory.file("ledger.db"))
            app-id = \(Fixtures.config.app_id)
            seller-id = \(Fixtures.config.seller_id)

            """ + keys.map { "alipay-public-key = \(Fixtures.path($0))\n" }.joined() + extra
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func order(_ directory: TemporaryDirectory, _ outTradeNo: String, _ amount: String) throws {
        let result = try DaemonProcess.command(["orders", "add", "--db", directory.file("ledger.db"), outTradeNo, amount])
        #expect(result.status == 0, "\(result.stderr)")
    }

    // MARK: - systemd

    @Test(arguments: ["path", "abstract"])
    func systemdHearsReadyWatchdogAndStopping(_ kind: String) throws {
        let directory = TemporaryDirectory("e2e-notify")
        let receiver = kind == "path"
            ? try DatagramReceiver(path: directory.file("notify.sock"))
            : try DatagramReceiver(abstractName: "alipay-notifyd-test-\(UUID().uuidString.prefix(8))")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory,
                                       environment: ["NOTIFY_SOCKET": receiver.address, "WATCHDOG_USEC": "400000"])
        let beforeReady = try #require(receiver.waitFor("READY=1", timeout: 10), "no READY=1; log:\n\(daemon.log)")
        #expect(!beforeReady.contains { $0.contains("WATCHDOG=1") })
        // The heartbeat comes every 200 ms (half of WATCHDOG_USEC).
        #expect(receiver.waitFor("WATCHDOG=1", timeout: 3) != nil)
        #expect(receiver.waitFor("WATCHDOG=1", timeout: 3) != nil)
        kill(daemon.process.processIdentifier, SIGTERM)
        #expect(receiver.waitFor("STOPPING=1", timeout: 10) != nil)
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
    }

    @Test func aSocketPassedBySystemdIsServedAndARestartLosesNoConnection() throws {
        let directory = TemporaryDirectory("e2e-activation")
        try Self.order(directory, "ACTIVATED1", "10.00")
        try Self.order(directory, "ACTIVATED2", "10.00")
        let (fd, port) = try ActivatedDaemon.listeningSocket()
        defer { close(fd) }
        let arguments = DaemonProcess.fixtureArguments(directory)
        let first = try ActivatedDaemon(listeningDescriptor: fd, arguments: arguments, logPath: directory.file("first.log"))
        #expect(first.waitForLog("socket activation"), "\(first.log)")
        #expect(first.waitForLog("listening on 127.0.0.1:\(port)"), "\(first.log)")
        let body = try SignedNotification.paid("ACTIVATED1", amount: "10.00", notifyID: "activated-1")
        #expect(try Curl.post("http://127.0.0.1:\(port)/notify", body: body).body == "success")
        #expect(first.stop() == 0)

        // Between two runs the socket stays open (systemd holds it): a
        // notification sent now waits in the kernel's queue for the next run.
        let waiting = try SignedNotification.paid("ACTIVATED2", amount: "10.00", notifyID: "activated-2")
        let reply = AsyncReply()
        Thread.detachNewThread { reply.set(try? Curl.post("http://127.0.0.1:\(port)/notify", body: waiting, timeout: 30)) }
        usleep(500_000)
        #expect(reply.value == nil)
        let second = try ActivatedDaemon(listeningDescriptor: fd, arguments: arguments, logPath: directory.file("second.log"))
        defer { second.stop() }
        let deadline = Date().addingTimeInterval(20)
        while reply.value == nil && Date() < deadline { usleep(20_000) }
        #expect(reply.value?.body == "success", "\(second.log)")
        #expect(second.stop() == 0)
        let shipped = try ChildProcess.run("sqlite3", [directory.file("ledger.db"), "SELECT count(*) FROM shipments"])
        #expect(shipped.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    }

    @Test func theUnitFilePassesSystemdAnalyze() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            Issue.record("systemd-analyze is missing: scripts/install-deps.sh test installs the systemd package")
            return
        }
        // The unit as installed, with ExecStart pointing at the built binary.
        let directory = TemporaryDirectory("e2e-unit")
        let unit = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("Config/alipay-notifyd.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/alipay-notifyd", with: DaemonProcess.binary)
        try Data(unit.utf8).write(to: URL(fileURLWithPath: directory.file("alipay-notifyd.service")))
        let socketUnit = try Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("Config/alipay-notifyd.socket"))
        try socketUnit.write(to: URL(fileURLWithPath: directory.file("alipay-notifyd.socket")))
        let verify = try ChildProcess.run("/usr/bin/systemd-analyze", ["verify", "--man=no",
                                                                        directory.file("alipay-notifyd.service"), directory.file("alipay-notifyd.socket")])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(!verify.stderr.contains("Unknown key"), "\(verify.stderr)")
        let security = try ChildProcess.run("/usr/bin/systemd-analyze", ["security", "--offline=true", directory.file("alipay-notifyd.service")])
        let exposure = security.stdout.firstMatch(of: /Overall exposure level for [^:]+: ([0-9.]+)/).flatMap { Double($0.1) }
        let score = try #require(exposure, "\(security.stdout)\(security.stderr)")
        #expect(score <= 2.0, "exposure \(score)")
    }

    // MARK: - Signals

    @Test func sighupPutsANewKeyInForceAndRefusesABrokenConfig() throws {
        let directory = TemporaryDirectory("e2e-reload")
        try Self.order(directory, "ROTATE1", "66.00")
        try Self.order(directory, "ROTATE2", "66.00")
        let config = try Self.writeConfig(directory, keys: [Fixtures.currentPublicKeyPEM])
        let daemon = try DaemonProcess(arguments: ["serve", "--config", config], directory: directory)
        let signedByNextKey = try SignedNotification.body(
            SignedNotification.fields(outTradeNo: "ROTATE1", amount: "66.00", notifyID: "rotate-1"), privateKey: Fixtures.nextPrivateKey)
        #expect(try Curl.post(daemon.notifyURL, body: signedByNextKey).body == "fail")

        // Alipay rotates its key: the operator adds the new one and sends SIGHUP.
        _ = try Self.writeConfig(directory, keys: [Fixtures.currentPublicKeyPEM, Fixtures.nextPublicKeyPEM])
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(Self.waitUntil { daemon.log.contains("configuration reloaded") }, "\(daemon.log)")
        #expect(try Curl.post(daemon.notifyURL, body: signedByNextKey).body == "success")

        // A broken file is refused and the configuration in force stays.
        try Data("listen = 127.0.0.1:0\nalipay-public-key = /nonexistent/key.pem\nbogus = 1\n".utf8).write(to: URL(fileURLWithPath: config))
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(Self.waitUntil { daemon.log.contains("reload refused") }, "\(daemon.log)")
        #expect(daemon.log.contains("alipay-notifyd.conf:3: unknown setting 'bogus'"), "the refusal names the line: \(daemon.log)")
        let stillGood = try SignedNotification.body(
            SignedNotification.fields(outTradeNo: "ROTATE2", amount: "66.00", notifyID: "rotate-2"), privateKey: Fixtures.nextPrivateKey)
        #expect(try Curl.post(daemon.notifyURL, body: stillGood).body == "success")
        let metrics = try Curl.get(daemon.adminURL + "/metrics").body
        #expect(metrics.contains("alipay_notifyd_reloads_total{result=\"applied\"} 1"))
        #expect(metrics.contains("alipay_notifyd_reloads_total{result=\"refused\"} 1"))
        #expect(daemon.stop() == 0)
    }

    @Test func sigtermDuringLoadKeepsEverySuccessAndExitsZero() throws {
        let directory = TemporaryDirectory("e2e-sigterm")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, extra: ["--accept-unknown-orders"]),
                                       directory: directory)
        let bodies = try SignedNotification.bodies((0..<240).map {
            SignedNotification.fields(outTradeNo: String(format: "TERM%04d", $0), amount: "1.00", notifyID: "term-\($0)")
        })
        let url = daemon.notifyURL
        let result = AsyncReplies()
        Thread.detachNewThread {
            result.set((try? CurlStorm.send(bodies.map { CurlStorm.Request(url: url, body: $0) }, connections: 16)) ?? [])
        }
        // Stop once the ledger has started filling.
        _ = Self.waitUntil(timeout: 20) { ((try? daemon.sql("SELECT count(*) FROM notifications")).flatMap { Int($0) } ?? 0) > 10 }
        let status = daemon.stop()
        #expect(Self.waitUntil(timeout: 60) { result.value != nil })
        #expect(status == 0, "\(daemon.log)")
        let replies = result.value ?? []
        let recorded = Set(try daemon.sql("SELECT notify_id FROM notifications").split(separator: "\n").map(String.init))
        let succeeded = replies.indices.filter { replies[$0].body == "success" }.map { "term-\($0)" }
        #expect(!succeeded.isEmpty)
        #expect(succeeded.allSatisfy { recorded.contains($0) }, "a success that is not in the ledger")
        #expect(daemon.log.contains("stopped"))
    }

    // MARK: - Metrics

    @Test func metricsParseAsPrometheusTextAndCountWhatWasSent() throws {
        let directory = TemporaryDirectory("e2e-metrics")
        for index in 1...3 { try Self.order(directory, "METRIC\(index)", "20.00") }
        try Self.order(directory, "METRIC4", "99.00")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        var sent: [(String, String)] = []
        for index in 1...3 {
            let body = try SignedNotification.paid("METRIC\(index)", amount: "20.00", notifyID: "metric-\(index)")
            sent.append((body, "success"))
            if index < 3 { sent.append((body, "success")) }   // two duplicates
        }
        let wrongAmount = try SignedNotification.paid("METRIC4", amount: "20.00", notifyID: "metric-4")
        sent.append((wrongAmount, "fail"))
        sent.append((sent[0].0.replacingOccurrences(of: "total_amount=20.00", with: "total_amount=0.01"), "fail")) // forged
        for (body, expected) in sent {
            #expect(try Curl.post(daemon.notifyURL, body: body).body == expected)
        }
        let scrape = try Curl.get(daemon.adminURL + "/metrics")
        #expect(scrape.status == 200)
        let file = directory.file("metrics.txt")
        try Data(scrape.body.utf8).write(to: URL(fileURLWithPath: file))
        // An independent parser: the Prometheus project's own Python client.
        let parser = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            samples = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for sample in family.samples:
                    labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                    samples[sample.name + "{" + labels + "}"] = sample.value
            print(json.dumps(samples))
            """
        // The system's Python, for which Debian packages prometheus_client.
        let parsed = try ChildProcess.run("/usr/bin/python3", ["-c", parser, file])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        let samples = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Double], "\(parsed.stdout)")
        #expect(samples["alipay_notifyd_notifications_total{outcome=accepted}"] == 3)
        #expect(samples["alipay_notifyd_notifications_total{outcome=duplicate}"] == 2)
        #expect(samples["alipay_notifyd_notifications_total{outcome=bad_signature}"] == 1)
        #expect(samples["alipay_notifyd_notifications_total{outcome=rejected,reason=amount_mismatch}"] == 1)
        #expect(samples["alipay_notifyd_notifications_total{outcome=error}"] == 0)
        #expect(samples["alipay_notifyd_request_duration_seconds_count{}"] == 7)
        #expect(samples["alipay_notifyd_request_duration_seconds_bucket{le=+Inf}"] == 7)
        #expect((samples["alipay_notifyd_commit_batch_size_sum{}"] ?? 0) >= 6)
        #expect(samples["alipay_notifyd_outbox_pending_events{}"] == 3)
        #expect(samples["alipay_notifyd_outbox_dead_events{}"] == 0)
        #expect((samples["alipay_notifyd_fsync_duration_seconds_count{}"] ?? 0) >= 1)
        #expect((samples["alipay_notifyd_open_connections{}"] ?? 0) >= 1)
        #expect(samples.keys.contains { $0.hasPrefix("alipay_notifyd_build_info{version=") })
        #expect(daemon.stop() == 0)
    }

    @Test func readinessNeedsFreeDiskAndAWritableLedger() throws {
        let directory = TemporaryDirectory("e2e-readyz")
        let ready = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        #expect(try Curl.get(ready.adminURL + "/readyz").status == 200)
        #expect(try Curl.get(ready.adminURL + "/livez").status == 200)
        #expect(ready.stop() == 0)
        // More free space asked for than any test machine has.
        let full = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, extra: ["--min-free-disk", "1000000GiB"]),
                                     directory: directory)
        let answer = try Curl.get(full.adminURL + "/readyz")
        #expect(answer.status == 503)
        #expect(answer.body.contains("below min-free-disk"), "\(answer.body)")
        #expect(try Curl.get(full.adminURL + "/livez").status == 200)
        #expect(full.stop() == 0)
    }

    // MARK: - Logs

    @Test func jsonLogsHaveOneObjectPerLineAndNoBodies() throws {
        let directory = TemporaryDirectory("e2e-jsonlog")
        try Self.order(directory, "LOG1", "3.00")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, extra: ["--log-format", "json"]), directory: directory)
        let body = try SignedNotification.paid("LOG1", amount: "3.00", notifyID: "log-1")
        #expect(try Curl.post(daemon.notifyURL, body: body).body == "success")
        #expect(try Curl.post(daemon.notifyURL, body: body.replacingOccurrences(of: "total_amount=3.00", with: "total_amount=0.03")).body == "fail")
        #expect(daemon.stop() == 0)
        let lines = daemon.log.split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(objects.count == lines.count, "every line is a JSON object of strings")
        let recorded = try #require(objects.first { $0["message"] == "notification recorded" })
        #expect(recorded["notify_id"] == "log-1")
        #expect(recorded["out_trade_no"] == "LOG1")
        #expect(recorded["decision"] == "ship")
        #expect(recorded["level"] == "info")
        #expect(Double(recorded["latency_ms"] ?? "") != nil)
        #expect(objects.contains { $0["reason"] == "bad_signature" && $0["level"] == "warning" })
        // Neither the signature nor the body is logged.
        #expect(!daemon.log.contains("sign="))
        #expect(!daemon.log.contains("测试商品"))
    }

    static func waitUntil(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    final class AsyncReply: @unchecked Sendable {
        private let lock = NSLock()
        private var reply: Curl.Reply?
        func set(_ value: Curl.Reply?) { lock.withLock { reply = value } }
        var value: Curl.Reply? { lock.withLock { reply } }
    }

    final class AsyncReplies: @unchecked Sendable {
        private let lock = NSLock()
        private var replies: [Curl.Reply]?
        func set(_ value: [Curl.Reply]) { lock.withLock { replies = value } }
        var value: [Curl.Reply]? { lock.withLock { replies } }
    }
}
