import AlipayCrypto
import AlipayNotify
import Foundation
import Testing
import TestSupport

/// `app_cert_sn` and `alipay_root_cert_sn` equal an independent computation
/// (`Tests/Differential/certificate_sn.py`, Python's `cryptography`) on
/// certificates the `openssl` command makes here: a root, an app
/// certificate it issued with a serial beyond 64 bits, and a root chain
/// that mixes RSA signatures with others that must be left out.
@Suite struct CertificateSNTests {
    typealias Certificates = TestCertificates

    static let certificates = Result { try Certificates() }

    @Test func appCertSNEqualsAnIndependentComputation() throws {
        let certificates = try Self.certificates.get()
        let ours = try CertificateSN.of(certificate: Array(Data(contentsOf: URL(fileURLWithPath: certificates.appCertificate))))
        #expect(ours == (try certificates.independentSN("app", certificates.appCertificate)))
        #expect(ours.count == 32)
    }

    @Test func theAppSNIsTheMD5OfTheReversedIssuerAndTheDecimalSerial() throws {
        let certificates = try Self.certificates.get()
        let ours = try CertificateSN.of(certificate: Array(Data(contentsOf: URL(fileURLWithPath: certificates.appCertificate))))
        let text = "CN=Test Root Class 2 R1,OU=Certification Authority,O=Test Fixture Root (NOT Alipay),C=CN123456789012345678901234567890"
        let md5 = try ChildProcess.run("/usr/bin/openssl", ["dgst", "-md5", "-r"], input: Array(text.utf8))
        #expect(md5.stdout.hasPrefix(ours))
    }

    @Test func rootCertSNJoinsOnlyTheRSASHA1AndSHA256Certificates() throws {
        let certificates = try Self.certificates.get()
        let chain = Array(try Data(contentsOf: URL(fileURLWithPath: certificates.rootChain)))
        let ours = try CertificateSN.ofRootChain(chain)
        #expect(ours == (try certificates.independentSN("root", certificates.rootChain)))
        let parts = ours.split(separator: "_")
        #expect(parts.count == 2)  // root.crt (sha256) and sha1.crt; not the EC or SHA-512 ones
        #expect(String(parts[0]) == (try certificates.independentSN("app", certificates.file("root.crt"))))
        #expect(String(parts[1]) == (try certificates.independentSN("app", certificates.file("sha1.crt"))))
    }

    @Test func theFixtureCertificateHasAnSNAsBareBase64Too() throws {
        let pem = try Fixtures.bytes(Fixtures.currentPublicCertificate)
        let ours = try CertificateSN.of(certificate: pem)
        #expect(ours == (try Self.certificates.get().independentSN("app", Fixtures.path(Fixtures.currentPublicCertificate))))
        let text = String(decoding: pem, as: UTF8.self)
        let base64 = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        #expect(try CertificateSN.of(certificate: Array(base64.utf8)) == ours)
    }

    @Test func aChainWithoutRSACertificatesIsAnError() throws {
        let certificates = try Self.certificates.get()
        let ec = Array(try Data(contentsOf: URL(fileURLWithPath: certificates.file("ec.crt"))))
        #expect(throws: CertificateSNError.noRSACertificateInChain(count: 1)) { try CertificateSN.ofRootChain(ec) }
    }

    @Test(arguments: ["", "not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])
    func garbageIsAnErrorNotACrash(_ text: String) {
        #expect(throws: CertificateSNError.self) { try CertificateSN.of(certificate: Array(text.utf8)) }
    }
}
