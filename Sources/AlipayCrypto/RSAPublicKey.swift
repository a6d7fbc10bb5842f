import AlipayNotify
import COpenSSL
import Synchronization

/// An Alipay public key, parsed once at start-up and shared by every thread
/// that verifies (an `EVP_PKEY` is safe to use concurrently once loaded).
public final class RSAPublicKey: @unchecked Sendable, CustomStringConvertible {
    let pkey: OpaquePointer
    /// Unique for the life of the process: what per-thread caches key on.
    let serial: Int
    private static let serials = Atomic<Int>(0)
    /// How the file gave the key: `PEM`, `bare base64` or `X.509 certificate`.
    public let format: String
    public let bits: Int
    /// `sha256:` and the first 16 hex digits of the SubjectPublicKeyInfo
    /// digest: enough to tell keys apart in a log, not secret.
    public let fingerprint: String

    /// Reads a public key in any form Alipay hands out: PEM `PUBLIC KEY`,
    /// PEM `RSA PUBLIC KEY`, bare base64 (SubjectPublicKeyInfo DER), or an
    /// X.509 certificate (PEM or bare base64).
    public init(bytes: [UInt8]) throws(KeyLoadingError) {
        let material = try KeyMaterial.parse(bytes)
        let pkey: OpaquePointer
        switch material.label {
        case .publicKey:
            guard let key = Self.decodePublicKey(material.der) else { throw .notDER("a SubjectPublicKeyInfo") }
            pkey = key; format = "PEM"
        case .rsaPublicKey:
            guard let key = Self.decodeRSAPublicKey(material.der) else { throw .notDER("a PKCS#1 RSA public key") }
            pkey = key; format = "PEM (PKCS#1)"
        case .certificate:
            guard let key = Self.decodeCertificateKey(material.der) else { throw .notDER("an X.509 certificate") }
            pkey = key; format = "X.509 certificate"
        case .bareBase64:
            if let key = Self.decodePublicKey(material.der) {
                pkey = key; format = "bare base64"
            } else if let key = Self.decodeCertificateKey(material.der) {
                pkey = key; format = "X.509 certificate (bare base64)"
            } else if let key = Self.decodeRSAPublicKey(material.der) {
                pkey = key; format = "bare base64 (PKCS#1)"
            } else {
                throw .notDER("a public key or a certificate")
            }
        case .privateKey, .rsaPrivateKey:
            throw .unsupportedPEM("PRIVATE KEY (this is a private key; Alipay's public key is needed here)")
        case .encrypted(let label):
            throw .encrypted(label)
        case .other(let label):
            throw .unsupportedPEM(label)
        }
        OpenSSLError.drainQueue()
        guard EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA else {
            let type = String(cString: OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)))
            EVP_PKEY_free(pkey)
            throw .notRSA(type)
        }
        let bits = Int(EVP_PKEY_get_bits(pkey))
        guard bits >= 2048 else {
            EVP_PKEY_free(pkey)
            throw .tooSmall(bits)
        }
        self.pkey = pkey
        self.serial = Self.serials.add(1, ordering: .relaxed).newValue
        self.bits = bits
        self.fingerprint = Self.fingerprint(of: pkey)
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    public var description: String {
        "RSA-\(bits) \(fingerprint) (\(format))"
    }

    /// Decodes DER with one of OpenSSL's `d2i_*` functions and insists that
    /// every byte was consumed (no trailing data).
    static func decodeDER<T>(_ der: [UInt8], _ decode: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> T?) -> T? {
        der.withUnsafeBufferPointer { buffer -> T? in
            guard let base = buffer.baseAddress else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            guard let result = decode(&cursor, buffer.count) else { return nil }
            guard cursor == base + buffer.count else { return nil }
            return result
        }
    }

    static func decodePublicKey(_ der: [UInt8]) -> OpaquePointer? {
        let key = decodeDER(der) { cursor, count in d2i_PUBKEY(nil, cursor, count) }
        if key == nil { OpenSSLError.drainQueue() }
        return key
    }

    static func decodeRSAPublicKey(_ der: [UInt8]) -> OpaquePointer? {
        let key = decodeDER(der) { cursor, count in d2i_PublicKey(EVP_PKEY_RSA, nil, cursor, count) }
        if key == nil { OpenSSLError.drainQueue() }
        return key
    }

    static func decodeCertificateKey(_ der: [UInt8]) -> OpaquePointer? {
        guard let certificate = decodeDER(der, { cursor, count in d2i_X509(nil, cursor, count) }) else {
            OpenSSLError.drainQueue()
            return nil
        }
        defer { X509_free(certificate) }
        return X509_get_pubkey(certificate)
    }

    static func fingerprint(of pkey: OpaquePointer) -> String {
        var der: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(pkey, &der)
        guard length > 0, let der else { return "sha256:unknown" }
        defer { CRYPTO_free(der, #fileID, #line) }
        var digest = [UInt8](repeating: 0, count: 32)
        var digestLength: UInt32 = 0
        guard EVP_Digest(der, Int(length), &digest, &digestLength, FetchedDigests.shared.sha256, nil) == 1 else {
            return "sha256:unknown"
        }
        let hex = digest.prefix(8).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
        return "sha256:\(hex)"
    }
}
