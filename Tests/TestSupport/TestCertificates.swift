import Foundation

/// Certificates the `openssl` command makes in a folder of their own, for
/// certificate mode: a root, an app certificate it issued with a serial
/// beyond 64 bits, and a root chain that mixes RSA signatures with others
/// that `alipay_root_cert_sn` must leave out; and their serial numbers as an
/// independent program (`Tests/Differential/certificate_sn.py`) computes them.
/// A folder of certificates made with the openssl CLI.
public final class TestCertificates: @unchecked Sendable {
    let folder = TemporaryDirectory("notifyd-certsn")
    public var rootChain: String { folder.file("root-chain.pem") }
    public var appCertificate: String { folder.file("app.crt") }

    public init() throws {
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

    public func file(_ name: String) -> String { folder.file(name) }

    func openssl(_ arguments: [String]) throws {
        let result = try ChildProcess.run("/usr/bin/openssl", arguments)
        guard result.status == 0 else { throw TestError("openssl \(arguments.joined(separator: " ")): \(result.stderr)") }
    }

    public func independentSN(_ mode: String, _ path: String) throws -> String {
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Differential/certificate_sn.py").path
        let result = try ChildProcess.run("/usr/bin/python3", [script, mode, path])
        guard result.status == 0 else { throw TestError("certificate_sn.py: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
