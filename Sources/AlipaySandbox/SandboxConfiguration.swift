import AlipayCrypto

/// Who the sandbox plays and whom it serves: Alipay's private key (it signs
/// answers and notifications), the one app it accepts with that app's
/// public key (it verifies requests), and how far a request's timestamp may
/// be from its own clock.
public struct SandboxConfiguration: Sendable {
    /// A certificate of Alipay's, as its PEM and its SN.
    public struct SandboxCertificate: Sendable {
        public let pem: [UInt8]
        public let sn: String

        public init(pem: [UInt8]) throws {
            self.pem = pem
            self.sn = try CertificateSN.of(certificate: pem)
        }
    }

    public let alipayPrivateKey: RSAPrivateKey
    public let appPublicKey: RSAPublicKey
    public let appID: String
    public let sellerID: String
    /// Alipay refuses requests whose `timestamp` is this far from its clock.
    public var timestampTolerance: Int64 = 15 * 60
    /// Certificate mode: the `app_cert_sn` every request must carry (the SN
    /// of the app certificate uploaded to this "Alipay"); nil: public-key mode.
    public var appCertSN: String?
    /// Certificate mode: the `alipay_root_cert_sn` every request must carry.
    public var alipayRootCertSN: String?
    /// Every gateway answer waits this long before it is sent, as from an
    /// Alipay far across the network (a `slow` fault waits its own delay).
    public var latencySeconds: Double = 0
    /// Certificate mode: the certificate (PEM) of `alipayPrivateKey`'s
    /// public key; answers name its SN in `alipay_cert_sn`, and
    /// `alipay.open.app.alipaycert.download` hands it out.
    public var alipayCertificate: SandboxCertificate?
    /// The identity Alipay signs with after it rotates (a new key, and in
    /// certificate mode its certificate), and after how many signed
    /// gateway answers it takes over; nil: no rotation.
    public var rotation: (after: Int, key: RSAPrivateKey, certificate: SandboxCertificate?)?

    public init(alipayPrivateKey: RSAPrivateKey, appPublicKey: RSAPublicKey, appID: String, sellerID: String = "2088000000000001") {
        self.alipayPrivateKey = alipayPrivateKey
        self.appPublicKey = appPublicKey
        self.appID = appID
        self.sellerID = sellerID
    }
}
