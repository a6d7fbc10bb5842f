import Foundation
import GatewayTransport
import HTTPServer
import Testing
import TestSupport

/// The proxy settings of the environment (`https_proxy`, `http_proxy`),
/// which libcurl reads for every connection. The environment of the test
/// process is shared by every test thread (and `setenv` races `getenv`),
/// so the calls run in a child: this test binary itself, running only
/// `childCallsThroughTheEnvironmentsProxies` with the proxies set.
@Suite struct GatewayTransportProxyTests {
    static let childMarker = "NOTIFYD_GATEWAY_PROXY_CHILD"

    @Test func anHTTPSCallGoesThroughHTTPSProxyAndALoopbackHTTPCallNever() throws {
        // The proxy refuses every tunnel: reaching it is what is tested.
        let proxy = try LoopbackGateway { _ in .text(403, "no tunnel") }
        let sandbox = try LoopbackGateway { _ in .text(200, "sandbox") }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        // The child is a test process, not a daemon: under scripts/sanitize.sh
        // it gets the test process's sanitizer options (no leak check), not
        // the ones SpawnedProcess gives daemons.
        let sanitizer = ProcessInfo.processInfo.environment["ASAN_OPTIONS"].map { ["NOTIFYD_TEST_CHILD_ASAN_OPTIONS": $0] } ?? [:]
        let child = try ChildProcess.run(
            executable,
            ["--testing-library", "swift-testing", "--filter", "childCallsThroughTheEnvironmentsProxies"],
            environment: [
                Self.childMarker: "\(sandbox.port)",
                "https_proxy": "http://127.0.0.1:\(proxy.port)",
                "http_proxy": "http://127.0.0.1:\(proxy.port)",
                "no_proxy": "", "NO_PROXY": "", "HTTPS_PROXY": "", "ALL_PROXY": "", "all_proxy": "",
            ].merging(sanitizer) { $1 },
            timeout: 60
        )
        #expect(child.status == 0, "the child's checks failed:\n\(child.stdout)\n\(child.stderr)")
        #expect((child.stdout + child.stderr).contains("childCallsThroughTheEnvironmentsProxies() passed"),
                "the child ran no test:\n\(child.stdout)\n\(child.stderr)")
        #expect(proxy.requests.map { "\($0.method) \($0.target)" } == ["CONNECT openapi.alipay.com:443"])
        #expect(sandbox.requests.count == 1)
    }

    /// Runs only in the child, with the proxies in its environment.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childMarker] != nil))
    func childCallsThroughTheEnvironmentsProxies() throws {
        let sandboxPort = try #require(ProcessInfo.processInfo.environment[Self.childMarker])
        let alipay = try GatewayTransport(configuration: .init(connectTimeout: .seconds(5), totalTimeout: .seconds(10)))
        let error = try #require(unknown(alipay.post(form: Array("a=1".utf8))))
        print("through the proxy: \(error)")
        #expect(error.kind == .connectionFailed)
        #expect(error.detail.contains("403"))
        #expect(error.description.contains("https_proxy"))
        let sandbox = try GatewayTransport(configuration: .init(gatewayURL: "http://127.0.0.1:\(sandboxPort)/gateway.do"))
        #expect(try sandbox.post(form: Array("a=1".utf8)).get().body == Array("sandbox".utf8))
    }
}
