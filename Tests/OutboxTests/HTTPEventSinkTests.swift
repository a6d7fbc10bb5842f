import Foundation
import Ledger
import Outbox
import Testing
import TestSupport

/// The HTTP sink over the project's HTTP client: https with a CA of the
/// operator's choosing, every address of a name, and settings refused when
/// the sink is made.
@Suite struct HTTPEventSinkTests {
    /// A ship event from a real ledger.
    func shipEvent() throws -> (OutboxLedger, OutboxEvent) {
        let ledger = try OutboxLedger()
        ledger.record("S1", id: "N1")
        return (ledger, try #require(try ledger.event("S1/ship")))
    }

    @Test(.enabled(if: NginxGateway.executable != nil, "\(NginxGateway.missingMessage)"))
    func deliversToAnHTTPSURLWhoseCertificateTheSinkCAFileTrusts() throws {
        let (_, event) = try shipEvent()
        let receiver = try ScriptedSinkServer(script: [], then: .status(204))
        let pki = TestPKI(TemporaryDirectory("sink-tls"))
        let ca = try pki.certificateAuthority("sink-ca")
        let nginx = try NginxGateway(certificate: pki.server("sink", hostName: "localhost", issuer: ca), directory: pki.directory,
                                     upstream: "127.0.0.1:\(receiver.port)")
        defer { nginx.stop() }
        let sink = try HTTPEventSink(url: "https://localhost:\(nginx.port)/events", timeout: .seconds(5), caFile: ca.certificate)
        #expect(sink.deliver(event, attempt: 1) == .delivered)
        let received = try #require(receiver.requests.first)
        #expect(received.idempotencyKey == "S1/ship")
        #expect(received.body.contains("\"kind\":\"ship\""))

        // Without that CA the same endpoint is not trusted: a failed attempt that says why.
        let untrusting = try HTTPEventSink(url: "https://localhost:\(nginx.port)/events", timeout: .seconds(5),
                                           caFile: pki.certificateAuthority("other-ca").certificate)
        guard case .failed(let reason) = untrusting.deliver(event, attempt: 2) else {
            Issue.record("an untrusted certificate was accepted")
            return
        }
        #expect(reason.contains("untrusted certificate"))
        #expect(receiver.requests.count == 1)
    }

    @Test func deliversToLocalhostWhenTheReceiverListensOnIPv4LoopbackOnly() throws {
        let (_, event) = try shipEvent()
        let receiver = try ScriptedSinkServer(script: [], then: .status(200))
        let sink = try HTTPEventSink(url: "http://localhost:\(receiver.port)/events", timeout: .seconds(5))
        #expect(sink.deliver(event, attempt: 1) == .delivered)
        #expect(receiver.requests.map(\.idempotencyKey) == ["S1/ship"])
    }

    @Test func anUnreadableSinkCAFileIsRefusedWhenTheSinkIsMade() {
        #expect {
            try HTTPEventSink(url: "https://fulfil.internal/events", timeout: .seconds(5), caFile: "no-such-dir/ca.pem")
        } throws: { error in
            let text = "\(error)"
            return text.contains("sink-ca-file 'no-such-dir/ca.pem'") && text.contains("No such file")
        }
    }

    @Test(arguments: ["ftp://fulfil.internal/events", "fulfil.internal/events", "http://user:secret@fulfil.internal/events"])
    func aURLThatIsNotHTTPOrHTTPSIsRefusedNamingSinkURL(_ url: String) {
        #expect {
            try HTTPEventSink(url: url, timeout: .seconds(5))
        } throws: { error in "\(error)".contains("sink-url '\(url)'") }
    }
}
