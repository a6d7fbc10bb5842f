import AlipayCrypto

/// Who the sandbox plays and whom it serves: Alipay's private key (it signs
/// answers and notifications), the one app it accepts with that app's
/// public key (it verifies requests), and how far a request's timestamp may
/// be from its own clock.
public struct SandboxConfiguration: Sendable {
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

    public init(alipayPrivateKey: RSAPrivateKey, appPublicKey: RSAPublicKey, appID: String, sellerID: String = "2088000000000001") {
        self.alipayPrivateKey = alipayPrivateKey
        self.appPublicKey = appPublicKey
        self.appID = appID
        self.sellerID = sellerID
    }
}
