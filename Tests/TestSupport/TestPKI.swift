import Foundation

/// Certificate authorities and server certificates made with the `openssl`
/// command line in a temporary directory, for a TLS gateway on loopback.
/// EC P-256 keys: quick to make, and TLS verification is the same.
public struct TestPKI {
    /// A certificate and its key, as PEM files.
    public struct Identity {
        public let certificate: String
        public let key: String
    }

    public let directory: TemporaryDirectory

    public init(_ directory: TemporaryDirectory) {
        self.directory = directory
    }

    /// A self-signed CA certificate named `name`.
    public func certificateAuthority(_ name: String) throws -> Identity {
        let identity = Identity(certificate: directory.file("\(name).pem"), key: directory.file("\(name).key"))
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", identity.key, "-out", identity.certificate, "-days", "30", "-subj", "/CN=\(name)",
        ])
        return identity
    }

    /// A server certificate for `hostName` (its only subject alternative
    /// name), signed by `issuer`, or self-signed when `issuer` is nil.
    /// `days` below zero makes one that expired before it was made: its
    /// notAfter lies a day before its notBefore, no clock faking needed.
    public func server(_ name: String, hostName: String, issuer: Identity?, days: Int = 30) throws -> Identity {
        let identity = Identity(certificate: directory.file("\(name).pem"), key: directory.file("\(name).key"))
        let request = directory.file("\(name).csr")
        let extensions = directory.file("\(name).ext")
        try Array("subjectAltName=DNS:\(hostName)\nbasicConstraints=CA:FALSE\n".utf8)
            .write(toFile: extensions)
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", identity.key, "-out", request, "-subj", "/CN=\(hostName)",
        ])
        var sign = ["x509", "-req", "-in", request, "-out", identity.certificate, "-days", String(days), "-extfile", extensions]
        if let issuer {
            sign += ["-CA", issuer.certificate, "-CAkey", issuer.key, "-set_serial", String(Int.random(in: 2..<1 << 40))]
        } else {
            sign += ["-key", identity.key]
        }
        try openssl(sign)
        return identity
    }

    private func openssl(_ arguments: [String]) throws {
        let result = try ChildProcess.run("openssl", arguments, timeout: 30)
        guard result.status == 0 else {
            throw TestError("openssl \(arguments.prefix(2).joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
    }
}

extension Array where Element == UInt8 {
    /// Writes the bytes to a file (replacing it).
    public func write(toFile path: String) throws {
        try Data(self).write(to: URL(fileURLWithPath: path))
    }
}
