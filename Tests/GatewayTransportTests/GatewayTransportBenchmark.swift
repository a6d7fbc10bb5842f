import Foundation
import GatewayTransport
import HTTPServer
import Testing
import TestSupport

/// What one call costs over loopback, on a kept connection and on a new one
/// per call (a new transport each time), over plain HTTP and over TLS. Runs
/// only when asked: `NOTIFYD_TRANSPORT_BENCH=1 swift test --skip-build
/// --filter GatewayTransportBenchmark` (figures in Docs-transport.md).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["NOTIFYD_TRANSPORT_BENCH"] != nil, "set NOTIFYD_TRANSPORT_BENCH=1"))
struct GatewayTransportBenchmark {
    let form = Array(String(repeating: "k=v&", count: 300).utf8) // about the size of a signed query

    /// Microseconds per call, the median of three runs of `calls` calls.
    func measure(calls: Int, _ call: () throws -> Void) rethrows -> Double {
        var runs: [Double] = []
        for _ in 0..<3 {
            let start = ContinuousClock.now
            for _ in 0..<calls { try call() }
            let elapsed = ContinuousClock.now - start
            runs.append(Double(elapsed.components.seconds) * 1e6 / Double(calls)
                + Double(elapsed.components.attoseconds) / 1e12 / Double(calls))
        }
        return runs.sorted()[1]
    }

    func report(_ label: String, _ microseconds: Double) {
        print("transport-bench: \(label): \(String(format: "%.1f", microseconds)) µs per call")
    }

    @Test func plainHTTPOnLoopbackToTheProjectsServer() throws {
        let gateway = try LoopbackGateway { _ in .text(200, #"{"ok":1}"#) }
        let configuration = GatewayTransportConfiguration(gatewayURL: gateway.url)
        let kept = try GatewayTransport(configuration: configuration)
        report("http to HTTPServer, kept connection", try measure(calls: 1000) { _ = try kept.post(form: form).get() })
        report("http to HTTPServer, new connection each call", try measure(calls: 1000) {
            _ = try GatewayTransport(configuration: configuration).post(form: form).get()
        })
    }

    @Test(.enabled(if: NginxGateway.executable != nil, "\(NginxGateway.missingMessage)"))
    func plainAndTLSOnLoopbackToNginx() throws {
        let pki = TestPKI(TemporaryDirectory("gateway-bench"))
        let ca = try pki.certificateAuthority("bench-ca")
        let nginx = try NginxGateway(certificate: pki.server("bench", hostName: "localhost", issuer: ca), directory: pki.directory)
        defer { nginx.stop() }
        let configuration = GatewayTransportConfiguration(
            gatewayURL: "https://localhost:\(nginx.port)/gateway.do", caFile: ca.certificate
        )
        let plain = GatewayTransportConfiguration(gatewayURL: "http://127.0.0.1:\(nginx.httpPort)/gateway.do")
        let keptPlain = try GatewayTransport(configuration: plain)
        report("http to nginx, kept connection", try measure(calls: 1000) { _ = try keptPlain.post(form: form).get() })
        report("http to nginx, new connection each call", try measure(calls: 1000) {
            _ = try GatewayTransport(configuration: plain).post(form: form).get()
        })
        let kept = try GatewayTransport(configuration: configuration)
        report("https to nginx, kept connection", try measure(calls: 1000) { _ = try kept.post(form: form).get() })
        report("https to nginx, new connection each call", try measure(calls: 1000) {
            _ = try GatewayTransport(configuration: configuration).post(form: form).get()
        })
    }
}
