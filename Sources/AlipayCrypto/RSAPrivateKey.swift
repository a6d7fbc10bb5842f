import AlipayNotify
import COpenSSL

/// A private key that signs with RSA2: the merchant's app key, which signs
/// every request to Alipay's gateway, and (for the `sign` tool, the
/// benchmark corpus and the tests) a key playing Alipay's part.
public final class RSAPrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer

    /// Reads PEM `PRIVATE KEY` (PKCS#8), PEM `RSA PRIVATE KEY` (PKCS#1) or
    /// bare base64 of either, as Alipay's key tool writes them.
    public init(bytes: [UInt8]) throws(KeyLoadingError) {
        let material = try KeyMaterial.parse(bytes)
        switch material.label {
        case .privateKey, .rsaPrivateKey, .bareBase64:
            break
        case .encrypted(let label):
            throw .encrypted(label)
        case .publicKey, .rsaPublicKey, .certificate:
            throw .unsupportedPEM("public key (a private key is needed to sign)")
        case .other(let label):
            throw .unsupportedPEM(label)
        }
        guard let pkey = RSAPublicKey.decodeDER(material.der, { cursor, count in d2i_AutoPrivateKey(nil, cursor, count) }) else {
            OpenSSLError.drainQueue()
            throw .notDER("a PKCS#8 or PKCS#1 private key")
        }
        guard EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA else {
            let type = String(cString: OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)))
            EVP_PKEY_free(pkey)
            throw .notRSA(type)
        }
        self.pkey = pkey
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// SHA256withRSA (or SHA1withRSA for legacy `RSA`) PKCS#1 v1.5 signature.
    public func sign(_ message: [UInt8], algorithm: SignatureAlgorithm = .rsa2) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLError("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        var pkeyContext: OpaquePointer? = nil
        guard EVP_DigestSignInit(context, &pkeyContext, algorithm.digest, nil, pkey) == 1,
              notifyd_set_pkcs1_padding(pkeyContext) == 1 else {
            throw OpenSSLError("EVP_DigestSignInit")
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            throw OpenSSLError("EVP_DigestSign (size)")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw OpenSSLError("EVP_DigestSign")
        }
        signature.removeSubrange(length...)
        return signature
    }

    /// The matching public key, for tests that generate and verify.
    public func publicKey() throws -> RSAPublicKey {
        var der: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(pkey, &der)
        guard length > 0, let der else { throw OpenSSLError("i2d_PUBKEY") }
        defer { CRYPTO_free(der, #fileID, #line) }
        let bytes = Array(UnsafeBufferPointer(start: der, count: Int(length)))
        return try RSAPublicKey(bytes: Array(Base64.encode(bytes).utf8))
    }
}
