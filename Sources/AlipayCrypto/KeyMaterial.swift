import AlipayNotify

/// The DER bytes inside a key or certificate file, and what the file said
/// they are. Alipay hands keys out as PEM, as one line of bare base64 (the
/// console format), or inside an X.509 certificate (certificate mode).
struct KeyMaterial {
    enum Label: Equatable {
        case publicKey          // PEM "PUBLIC KEY" (SubjectPublicKeyInfo)
        case rsaPublicKey       // PEM "RSA PUBLIC KEY" (PKCS#1)
        case certificate        // PEM "CERTIFICATE"
        case privateKey         // PEM "PRIVATE KEY" (PKCS#8)
        case rsaPrivateKey      // PEM "RSA PRIVATE KEY" (PKCS#1)
        case encrypted(String)  // an encrypted PEM block: not supported
        case other(String)      // another PEM label
        case bareBase64         // no PEM markers
    }

    let label: Label
    let der: [UInt8]

    static func parse(_ bytes: [UInt8]) throws(KeyLoadingError) -> KeyMaterial {
        let text = String(decoding: bytes, as: UTF8.self)
        if let begin = text.firstRange(of: "-----BEGIN ") {
            let afterBegin = text[begin.upperBound...]
            guard let labelEnd = afterBegin.firstRange(of: "-----") else { throw .malformedPEM("no end of the BEGIN line") }
            let name = String(afterBegin[..<labelEnd.lowerBound])
            let bodyStart = labelEnd.upperBound
            guard let end = text[bodyStart...].firstRange(of: "-----END \(name)-----") else {
                throw .malformedPEM("no '-----END \(name)-----' line")
            }
            let body = text[bodyStart..<end.lowerBound]
            if body.contains("Proc-Type:") || name == "ENCRYPTED PRIVATE KEY" {
                return KeyMaterial(label: .encrypted(name), der: [])
            }
            guard let der = Base64.decode(body.utf8.filter { !Self.isWhitespace($0) }) else {
                throw .malformedPEM("the text between the BEGIN and END lines is not base64")
            }
            let label: Label
            switch name {
            case "PUBLIC KEY": label = .publicKey
            case "RSA PUBLIC KEY": label = .rsaPublicKey
            case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE": label = .certificate
            case "PRIVATE KEY": label = .privateKey
            case "RSA PRIVATE KEY": label = .rsaPrivateKey
            default: label = .other(name)
            }
            return KeyMaterial(label: label, der: der)
        }
        let compact = bytes.filter { !Self.isWhitespace($0) }
        guard !compact.isEmpty else { throw .empty }
        guard let der = Base64.decode(compact) else { throw .notBase64 }
        return KeyMaterial(label: .bareBase64, der: der)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}

/// Why a key or certificate could not be loaded, in words that tell an
/// operator which file format was expected.
public enum KeyLoadingError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case notBase64
    case malformedPEM(String)
    case unsupportedPEM(String)
    case encrypted(String)
    case notDER(String)
    case notRSA(String)
    case tooSmall(Int)

    public var description: String {
        switch self {
        case .empty:
            return "the file is empty"
        case .notBase64:
            return "the file is neither PEM nor bare base64 (the one-line format of the Alipay console)"
        case .malformedPEM(let detail):
            return "malformed PEM: \(detail)"
        case .unsupportedPEM(let label):
            return "a PEM '\(label)' block is not a key or certificate this tool reads"
        case .encrypted(let label):
            return "the PEM block '\(label)' is encrypted; decrypt it first (openssl pkey -in FILE -out PLAIN)"
        case .notDER(let what):
            return "the base64 does not decode to \(what)"
        case .notRSA(let type):
            return "the key is \(type), not RSA (Alipay signs with RSA-2048)"
        case .tooSmall(let bits):
            return "the key has \(bits) bits; RSA2 keys have at least 2048"
        }
    }
}
