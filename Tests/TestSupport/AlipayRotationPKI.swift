import Foundation

/// What Alipay's key rotation needs, made with the openssl CLI in a folder
/// of its own: the key Alipay signs with after it rotates (and its public
/// key), and for certificate mode a root, Alipay's current certificate (for
/// the fixtures' current key), the next one, the app's certificate, and a
/// next certificate issued by another root (one that must not be believed).
public final class AlipayRotationPKI: @unchecked Sendable {
    let folder = TemporaryDirectory("notifyd-rotation")
    public var nextPrivateKey: String { file("next.key") }
    public var nextPublicKey: String { file("next.pub") }
    public var root: String { file("root.crt") }
    public var currentCertificate: String { file("alipay-current.crt") }
    public var nextCertificate: String { file("alipay-next.crt") }
    public var nextCertificateOfAnotherRoot: String { file("alipay-next-rogue.crt") }
    public var appCertificate: String { file("app.crt") }

    public init() throws {
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", nextPrivateKey])
        try openssl(["pkey", "-in", nextPrivateKey, "-pubout", "-out", nextPublicKey])
        for (name, subject) in [("root", "/C=CN/O=Test Fixture Root (NOT Alipay)/CN=Rotation Root"), ("rogue", "/C=CN/O=Not Alipay/CN=Rogue Root")] {
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650", "-subj", subject,
                         "-keyout", file("\(name).key"), "-out", file("\(name).crt")])
        }
        try issue(key: Fixtures.path(Fixtures.currentPrivateKey), subject: "/C=CN/O=Test Fixture (NOT Alipay)/CN=Alipay current", by: "root",
                  serial: "1001", to: currentCertificate)
        try issue(key: nextPrivateKey, subject: "/C=CN/O=Test Fixture (NOT Alipay)/CN=Alipay next", by: "root", serial: "1002", to: nextCertificate)
        try issue(key: nextPrivateKey, subject: "/C=CN/O=Test Fixture (NOT Alipay)/CN=Alipay next", by: "rogue", serial: "1002",
                  to: nextCertificateOfAnotherRoot)
        try issue(key: Fixtures.path(Fixtures.nextPrivateKey), subject: "/C=CN/O=Test Merchant/CN=\(Fixtures.config.app_id)", by: "root",
                  serial: "2001", to: appCertificate)
    }

    public func file(_ name: String) -> String { folder.file(name) }

    private func issue(key: String, subject: String, by issuer: String, serial: String, to path: String) throws {
        let request = path + ".csr"
        try openssl(["req", "-new", "-key", key, "-subj", subject, "-out", request])
        try openssl(["x509", "-req", "-in", request, "-CA", file("\(issuer).crt"), "-CAkey", file("\(issuer).key"), "-sha256",
                     "-set_serial", serial, "-days", "365", "-out", path])
    }

    private func openssl(_ arguments: [String]) throws {
        let result = try ChildProcess.run("/usr/bin/openssl", arguments, timeout: 60)
        guard result.status == 0 else { throw TestError("openssl \(arguments.prefix(2).joined(separator: " ")): \(result.stderr)") }
    }
}
