import COpenSSL

/// PKCS#1 v1.5 signature verification with a key parsed once and a digest
/// context reused per thread.
public enum RSAVerifier {
    /// True when `signature` is a valid signature of `message` by `key`.
    public static func isValid(
        signature: UnsafeRawBufferPointer, of message: UnsafeRawBufferPointer,
        key: RSAPublicKey, algorithm: SignatureAlgorithm
    ) -> Bool {
        let context = ThreadDigestContext.current()
        var pkeyContext: OpaquePointer? = nil
        guard EVP_DigestVerifyInit(context, &pkeyContext, algorithm.digest, nil, key.pkey) == 1,
              notifyd_set_pkcs1_padding(pkeyContext) == 1 else {
            OpenSSLError.drainQueue()
            return false
        }
        let result = EVP_DigestVerify(
            context,
            signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count
        )
        if result != 1 {
            // A wrong signature leaves an error on the queue; drop it so the
            // queue does not grow with every forged request.
            OpenSSLError.drainQueue()
            return false
        }
        return true
    }

    public static func isValid(signature: [UInt8], of message: [UInt8], key: RSAPublicKey, algorithm: SignatureAlgorithm) -> Bool {
        signature.withUnsafeBytes { signatureBytes in
            message.withUnsafeBytes { messageBytes in
                isValid(signature: signatureBytes, of: messageBytes, key: key, algorithm: algorithm)
            }
        }
    }
}
