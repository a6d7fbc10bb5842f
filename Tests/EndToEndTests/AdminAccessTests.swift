import Foundation
import Testing
import TestSupport

/// The admin listener with real curl: a browser's page on the machine
/// cannot write to it, a listener off loopback needs tokens, and tokens
/// rotate with SIGHUP.
@Suite struct AdminListenerAccessTests {
    static let json = ["-H", "Content-Type: application/json"]

    @Test func aFormPostOrAPageOfAnotherOriginChangesNothing() throws {
        let directory = TemporaryDirectory("e2e-admin-access")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        let body = #"{"out_trade_no":"ACC-1","total_amount":"10.00"}"#
        // What a web page's <form> can send without asking: a form body.
        let form = try Curl.post(daemon.adminURL + "/orders", body: body)
        #expect(form.status == 415, "\(form.body)")
        #expect(form.body.contains("Content-Type: application/json"))
        // What a page's fetch() sends: its own origin.
        let page = try Curl.post(daemon.adminURL + "/orders", body: body, extraArguments: Self.json + ["-H", "Origin: http://evil.example"])
        #expect(page.status == 403, "\(page.body)")
        // A name of the page's own that resolves to 127.0.0.1.
        let rebound = try Curl.post(daemon.adminURL + "/orders", body: body,
                                    extraArguments: Self.json + ["-H", "Host: rebind.evil.example:\(daemon.adminPort)"])
        #expect(rebound.status == 403, "\(rebound.body)")
        #expect(try Curl.get(daemon.adminURL + "/trades/ACC-1").status == 404, "nothing was registered")
        #expect(try Curl.post(daemon.adminURL + "/orders", body: body, extraArguments: Self.json).status == 201)
        #expect(daemon.log.contains("admin request refused: POST /orders: HTTP 403"))
        _ = daemon.stop()
    }

    @Test func anAdminListenerOffLoopbackWithoutTokensIsAConfigurationError() throws {
        let directory = TemporaryDirectory("e2e-admin-remote")
        let config = directory.file("alipay-notifyd.conf")
        try Data("""
            alipay-public-key = \(Fixtures.path(Fixtures.currentPublicKeyPEM))
            db = \(directory.file("ledger.db"))
            admin-listen = 0.0.0.0:8081
            app-id = \(Fixtures.config.app_id)

            """.utf8).write(to: URL(fileURLWithPath: config))
        let checked = try DaemonProcess.command(["check-config", "--config", config])
        #expect(checked.status == 78)
        #expect(checked.stderr.contains("alipay-notifyd.conf:3") && checked.stderr.contains("admin-token-file"), "\(checked.stderr)")
        let served = try DaemonProcess.command(["serve", "--config", config])
        #expect(served.status == 78, "the daemon refuses to start: \(served.stderr)")
        let tokens = directory.file("admin-tokens")
        try Data("# rotated 2026-12\nshort\n".utf8).write(to: URL(fileURLWithPath: tokens))
        let short = try DaemonProcess.command(["check-config", "--config", config, "--admin-token-file", tokens])
        #expect(short.status == 78)
        #expect(short.stderr.contains("line 2"), "the line is named: \(short.stderr)")
    }

    @Test func withATokenFileEveryRequestCarriesATokenAndSighupRotatesThem() throws {
        let directory = TemporaryDirectory("e2e-admin-tokens")
        let tokens = directory.file("admin-tokens")
        let first = "first-token-0123456789abcdef"
        let second = "second-token-0123456789abcdef"
        try Data("\(first)\n".utf8).write(to: URL(fileURLWithPath: tokens))
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, extra: ["--admin-token-file", tokens]),
                                       directory: directory)
        func register(_ id: String, token: String?) throws -> Int {
            let auth = token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []
            return try Curl.post(daemon.adminURL + "/orders", body: #"{"out_trade_no":"\#(id)","total_amount":"1.00"}"#,
                                 extraArguments: Self.json + auth).status
        }
        #expect(try register("TOK-1", token: nil) == 401)
        #expect(try register("TOK-1", token: "not-" + first) == 401)
        #expect(try register("TOK-1", token: first) == 201)
        #expect(try Curl.get(daemon.adminURL + "/livez").status == 200, "probes need no token")
        #expect(try Curl.get(daemon.adminURL + "/metrics").status == 401)

        try Data("\(first)\n\(second)\n".utf8).write(to: URL(fileURLWithPath: tokens))
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(OperationsTests.waitUntil { daemon.log.contains("configuration reloaded") })
        #expect(try register("TOK-2", token: second) == 201)
        try Data("\(second)\n".utf8).write(to: URL(fileURLWithPath: tokens))
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(OperationsTests.waitUntil { daemon.log.components(separatedBy: "configuration reloaded").count == 3 })
        #expect(try register("TOK-3", token: first) == 401, "the removed token no longer serves")
        #expect(try register("TOK-3", token: second) == 201)
        _ = daemon.stop()
    }
}
