import AlipayCrypto
import AlipayNotify

/// The keys an answer is verified with. In public-key mode, any configured
/// Alipay public key; in certificate mode, the key of the certificate the
/// answer names in `alipay_cert_sn`, and only that one.
public enum AnswerKeys: Sendable {
    case publicKeys([RSAPublicKey])
    /// Alipay's certificates by SN.
    case certificates([String: RSAPublicKey])
}

extension GatewayOutcome {
    /// Classifies an answer with `keys`. In certificate mode: an answer
    /// naming a certificate not held is `unknownCertificate` (the caller may
    /// fetch it and classify again); a success naming none is unknown
    /// (except the certificate download itself, which may come without).
    public static func classify(httpStatus: Int, body: [UInt8], method: GatewayMethod, keys: AnswerKeys) -> GatewayOutcome {
        switch keys {
        case .publicKeys(let keys):
            return classify(httpStatus: httpStatus, body: body, method: method, keys: keys)
        case .certificates(let bySN):
            let held = bySN.keys.sorted().compactMap { bySN[$0] }
            guard httpStatus == 200, let scanned = try? AnswerScanner.scan(body, method: method) else {
                return classify(httpStatus: httpStatus, body: body, method: method, keys: held)
            }
            if let sn = scanned.alipayCertSN {
                guard let key = bySN[sn] else { return .unknown(.unknownCertificate(sn)) }
                return classify(httpStatus: httpStatus, body: body, method: method, keys: [key])
            }
            let outcome = classify(httpStatus: httpStatus, body: body, method: method, keys: held)
            if case .success = outcome, method != .certificateDownload { return .unknown(.certificateSNMissing) }
            return outcome
        }
    }

    /// What a certificate download's answer claims to deliver: the decoded
    /// `alipay_cert_content` (a PEM), read before any signature is checked.
    /// It is believed only once `CertificateTrust` finds it chains to the
    /// root, and the answer is then verified, with it or a certificate held.
    public static func claimedCertificate(in body: [UInt8]) -> [UInt8]? {
        guard let scanned = try? AnswerScanner.scan(body, method: .certificateDownload),
              let fields = try? ResponseNodeFields(body, node: scanned.node),
              let content = fields.nonEmptyString("alipay_cert_content") else { return nil }
        return Base64.decode(Array(content.utf8))
    }
}
