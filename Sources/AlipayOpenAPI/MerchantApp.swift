import AlipayCrypto

/// Who calls the gateway: the merchant's app id and the app private key every
/// request is signed with, plus the certificate serial numbers when the app
/// uses certificate mode (public-key mode leaves them nil).
public struct MerchantApp: Sendable {
    public let appID: String
    public let privateKey: RSAPrivateKey
    /// `app_cert_sn`: `CertificateSN.of(certificate:)` of the app's public certificate.
    public let appCertSN: String?
    /// `alipay_root_cert_sn`: `CertificateSN.ofRootChain(_:)` of Alipay's root certificate file.
    public let alipayRootCertSN: String?

    public init(appID: String, privateKey: RSAPrivateKey, appCertSN: String? = nil, alipayRootCertSN: String? = nil) {
        self.appID = appID
        self.privateKey = privateKey
        self.appCertSN = appCertSN
        self.alipayRootCertSN = alipayRootCertSN
    }
}
