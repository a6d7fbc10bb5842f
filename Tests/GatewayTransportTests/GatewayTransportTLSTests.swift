import Foundation
import GatewayTransport
import Testing
import TestSupport

/// The transport against a real TLS server (nginx) with certificates made
/// by the `openssl` command line: verification is libcurl's and OpenSSL's,
/// and each way a certificate can be wrong comes back as its own kind.
@Suite(.enabled(if: NginxGateway.executable != nil, "\(NginxGateway.missingMessage)"))
struct GatewayTransportTLSTests {
    let form = Array("app_id=2021000000000000&method=alipay.trade.query&sign=abc".utf8)

    /// nginx serving `certificate`, and a transport to it on `localhost`
    /// that trusts `trusting` (nil: the system's store).
    func call(
        serving certificate: (TestPKI) throws -> TestPKI.Identity, trusting: TestPKI.Identity?, pki: TestPKI
    ) throws -> GatewayTransportResult {
        let nginx = try NginxGateway(certificate: certificate(pki), directory: pki.directory)
        defer { nginx.stop() }
        let transport = try GatewayTransport(configuration: .init(
            gatewayURL: "https://localhost:\(nginx.port)/gateway.do", caFile: trusting?.certificate
        ))
        return transport.post(form: form)
    }

    @Test func aCertificateFromTheTrustedCAFileIsAccepted() throws {
        let pki = TestPKI(TemporaryDirectory("gateway-tls"))
        let ca = try pki.certificateAuthority("gateway-ca")
        let result = try call(serving: { try $0.server("gateway", hostName: "localhost", issuer: ca) }, trusting: ca, pki: pki)
        let response = try result.get()
        #expect(response.status == 200)
        #expect(response.body == Array(#"{"ok":1}"#.utf8))
    }

    @Test func reusesOneTLSConnectionAcrossCalls() throws {
        let pki = TestPKI(TemporaryDirectory("gateway-tls"))
        let ca = try pki.certificateAuthority("gateway-ca")
        let nginx = try NginxGateway(certificate: pki.server("gateway", hostName: "localhost", issuer: ca), directory: pki.directory)
        defer { nginx.stop() }
        let transport = try GatewayTransport(configuration: .init(
            gatewayURL: "https://localhost:\(nginx.port)/gateway.do", caFile: ca.certificate
        ))
        for _ in 0..<4 { #expect(try transport.post(form: form).get().status == 200) }
        // nginx writes its log line after the answer: give the last one a moment.
        let deadline = Date().addingTimeInterval(2)
        while nginx.connectionOfEachRequest().count < 4, Date() < deadline { usleep(10_000) }
        let connections = nginx.connectionOfEachRequest()
        #expect(connections.count == 4)
        #expect(Set(connections).count == 1, "one TLS handshake for all calls, not \(connections)")
    }

    @Test func aCertificateFromAnUnknownCAIsRefusedAsUntrusted() throws {
        let pki = TestPKI(TemporaryDirectory("gateway-tls"))
        let ca = try pki.certificateAuthority("gateway-ca")
        let rogue = try pki.certificateAuthority("rogue-ca")
        let result = try call(serving: { try $0.server("gateway", hostName: "localhost", issuer: rogue) }, trusting: ca, pki: pki)
        let error = try #require(unknown(result))
        #expect(error.kind == .untrustedCertificate)
        #expect(error.verifyResult == 20)
        #expect(error.description.contains("localhost"))
        #expect(error.description.contains("caFile '\(ca.certificate)'"))
    }

    @Test func aSelfSignedCertificateIsRefusedAsUntrusted() throws {
        let pki = TestPKI(TemporaryDirectory("gateway-tls"))
        let ca = try pki.certificateAuthority("gateway-ca")
        let result = try call(serving: { try $0.server("gateway", hostName: "localhost", issuer: nil) }, trusting: ca, pki: pki)
        let error = try #require(unknown(result))
        #expect(error.kind == .untrustedCertificate)
        #expect(error.verifyResult == 18)
    }

    @Test func theTestCAIsNotTrustedWithoutTheCAFile() throws {
        let pki = TestPKI(TemporaryDirectory("gateway-tls"))
        let ca = try pki.certificateAuthority("gateway-ca")
        let result = try call(serving: { try $0.server("gateway", hostName: "localhost", issuer: ca) }, trusting: nil, pki: pki)
        let error = try #require(unknown(result))
        #expect(error.kind == .untrustedCertificate)
        #expect(error.description.contains("system's trust store"))
    }

    @Test func aCertificateForAnotherHostNameIsRefusedAsAMismatch() throws {
        let pki = TestPKI(TemporaryDirectory("gateway-tls"))
        let ca = try pki.certificateAuthority("gateway-ca")
        let result = try call(
            serving: { try $0.server("gateway", hostName: "openapi.alipay.com", issuer: ca) }, trusting: ca, pki: pki
        )
        let error = try #require(unknown(result))
        #expect(error.kind == .hostNameMismatch)
        #expect(error.description.contains("for another name"))
    }

    @Test func anExpiredCertificateIsRefusedAsExpired() throws {
        let pki = TestPKI(TemporaryDirectory("gateway-tls"))
        let ca = try pki.certificateAuthority("gateway-ca")
        let result = try call(
            serving: { try $0.server("gateway", hostName: "localhost", issuer: ca, days: -1) }, trusting: ca, pki: pki
        )
        let error = try #require(unknown(result))
        #expect(error.kind == .expiredCertificate)
        #expect(error.verifyResult == 10)
        #expect(error.description.contains("clock"))
    }
}
