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
    /// A folder of certificates made with the openssl CLI.
    final class Certificates: @unchecked Sendable {
        let folder = TemporaryDirectory("notifyd-certsn")
        var rootChain: String { folder.file("root-chain.pem") }
        var appCertificate: String { folder.file("app.crt") }

        init() throws {
            let rootSubject = "/C=CN/O=Test Fixture Root (NOT Alipay)/OU=Certification Authority/CN=Test Root Class 2 R1"
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650", "-subj", rootSubject,
                         "-set_serial", "0x5ec4a3b2c1d0e9f8a7b6c5d4e3f2a1b0", "-keyout", file("root.key"), "-out", file("root.crt")])
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha1", "-days", "3650",
                         "-subj", "/C=CN/O=Test Fixture/CN=Legacy SHA1 Root", "-set_serial", "7", "-keyout", file("sha1.key"), "-out", file("sha1.crt")])
            try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-sha256", "-days", "3650",
                         "-subj", "/C=CN/O=Test Fixture/CN=EC Root", "-keyout", file("ec.key"), "-out", file("ec.crt")])
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha512", "-days", "3650",
                         "-subj", "/C=CN/O=Test Fixture/CN=SHA512 Root", "-keyout", file("sha512.key"), "-out", file("sha512.crt")])
            try openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/C=CN/O=Test Merchant/OU=App/CN=2021000000000001",
                         "-keyout", file("app.key"), "-out", file("app.csr")])
            try openssl(["x509", "-req", "-in", file("app.csr"), "-CA", file("root.crt"), "-CAkey", file("root.key"), "-sha256",
                         "-set_serial", "123456789012345678901234567890", "-days", "365", "-out", file("app.crt")])
            let chain = try ["root.crt", "ec.crt", "sha1.crt", "sha512.crt"].map { try String(contentsOfFile: file($0), encoding: .utf8) }
            try chain.joined().write(toFile: rootChain, atomically: true, encoding: .utf8)
        }

        func file(_ name: String) -> String { folder.file(name) }

        func openssl(_ arguments: [String]) throws {
            let result = try ChildProcess.run("/usr/bin/openssl", arguments)
            guard result.status == 0 else { throw TestError("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
        }

        func independentSN(_ mode: String, _ path: String) throws -> String {
            let script = Fixtures.packageRoot.appendingPathComponent("Tests/Differential/certificate_sn.py").path
            let result = try ChildProcess.run("/usr/bin/python3", [script, mode, path])
            guard result.status == 0 else { throw TestError("certificate_sn.py: \(result.stderr)") }
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

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
