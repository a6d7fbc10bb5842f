import COpenSSL

/// PKCS#1 v1.5 signature verification with a key parsed once, and digest
/// and verify contexts set up once per thread (`ThreadVerifyContexts`).
public enum RSAVerifier {
    /// True when `signature` is a valid signature of `message` by `key`.
    public static func isValid(
        signature: UnsafeRawBufferPointer, of message: UnsafeRawBufferPointer,
        key: RSAPublicKey, algorithm: SignatureAlgorithm
    ) -> Bool {
        let contexts = ThreadVerifyContexts.current
        var digest = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var digestLength: UInt32 = 0
        let hashed = withUnsafeMutableBytes(of: &digest) { output in
            EVP_DigestInit_ex(contexts.digestContext, algorithm.digest, nil) == 1
                && EVP_DigestUpdate(contexts.digestContext, message.baseAddress, message.count) == 1
                && EVP_DigestFinal_ex(contexts.digestContext, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &digestLength) == 1
        }
        guard hashed, let context = contexts.verifyContext(for: key, algorithm: algorithm) else {
            OpenSSLError.drainQueue()
            return false
        }
        let result = withUnsafeBytes(of: &digest) { digestBytes in
            EVP_PKEY_verify(
                context,
                signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
                digestBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), Int(digestLength)
            )
        }
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
