import AlipayNotify

/// Decides whether a raw notification body is authentic: form decoding,
/// `sign_type`, the `sign` base64 and the RSA signature over the canonical
/// string, against every configured Alipay public key (several during a
/// key rotation: a body is authentic when any of them verifies it).
public struct NotificationVerifier: Sendable {
    public let keys: [RSAPublicKey]
    /// Accept `sign_type=RSA` (SHA1withRSA). Off unless an operator asks.
    public let allowsLegacyRSA: Bool

    public init(keys: [RSAPublicKey], allowsLegacyRSA: Bool = false) {
        precondition(!keys.isEmpty, "at least one Alipay public key is required")
        self.keys = keys
        self.allowsLegacyRSA = allowsLegacyRSA
    }

    public func verify(body: [UInt8]) -> Result<VerifiedBody, VerificationFailure> {
        let fields: FormFields
        do {
            fields = try FormFields(body: body)
        } catch {
            return .failure(.form(error))
        }
        return verify(fields: fields)
    }

    public func verify(fields: FormFields) -> Result<VerifiedBody, VerificationFailure> {
        let algorithm: SignatureAlgorithm
        switch fields.nonEmptyString("sign_type") {
        case nil, "RSA2":
            algorithm = .rsa2
        case "RSA" where allowsLegacyRSA:
            algorithm = .rsa
        case let other?:
            return .failure(.signTypeNotAccepted(other, legacyEnabled: allowsLegacyRSA))
        }
        guard let signText = fields.bytes("sign"), !signText.isEmpty else {
            return .failure(.signMissing)
        }
        guard let signature = Base64.decode(signText) else {
            return .failure(.signNotBase64)
        }
        let content = fields.signedContent
        for (index, key) in keys.enumerated()
        where RSAVerifier.isValid(signature: signature, of: content, key: key, algorithm: algorithm) {
            return .success(VerifiedBody(fields: fields, algorithm: algorithm, keyIndex: index))
        }
        return .failure(.signatureMismatch(keyCount: keys.count))
    }
}

/// A body whose signature checked out, with the fields it was checked over.
public struct VerifiedBody: Sendable {
    public let fields: FormFields
    public let algorithm: SignatureAlgorithm
    /// Which configured key verified it (0 is the first configured).
    public let keyIndex: Int
}

/// Why a body is not authentic. `code` is a stable label for metrics and
/// logs; `description` is for the person reading them.
public enum VerificationFailure: Error, Sendable, CustomStringConvertible {
    case form(FormDecodingError)
    case signTypeNotAccepted(String, legacyEnabled: Bool)
    case signMissing
    case signNotBase64
    case signatureMismatch(keyCount: Int)

    public var code: String {
        switch self {
        case .form: return "bad_form"
        case .signTypeNotAccepted: return "sign_type_not_accepted"
        case .signMissing: return "sign_missing"
        case .signNotBase64: return "sign_not_base64"
        case .signatureMismatch: return "bad_signature"
        }
    }

    public var description: String {
        switch self {
        case .form(let error):
            return "the body is not a valid form: \(error)"
        case .signTypeNotAccepted(let type, let legacyEnabled):
            if type == "RSA" && !legacyEnabled {
                return "sign_type 'RSA' (SHA1withRSA) is refused; enable legacy RSA only if Alipay still signs this app with SHA-1"
            }
            return "sign_type '\(type)' is not accepted (RSA2 expected)"
        case .signMissing:
            return "the 'sign' parameter is missing or empty"
        case .signNotBase64:
            return "the 'sign' parameter is not standard base64"
        case .signatureMismatch(let keyCount):
            return keyCount == 1
                ? "the signature does not match the canonical string under the configured Alipay public key"
                : "the signature does not match the canonical string under any of the \(keyCount) configured Alipay public keys"
        }
    }
}
