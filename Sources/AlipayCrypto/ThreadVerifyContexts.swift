import COpenSSL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Per-thread OpenSSL state for verifying: one digest context, and one
/// `EVP_PKEY_CTX` per (key, digest) already initialised for PKCS#1 v1.5
/// verification. Setting those up costs about as much as the SHA-256 of a
/// notification, so each thread does it once per key instead of per request.
///
/// Entries are keyed by the key's serial number, never by its address, and
/// every context holds its own reference to the OpenSSL key: a key released
/// by a reload cannot be confused with a new one. A thread's contexts are
/// freed when it exits.
final class ThreadVerifyContexts {
    let digestContext: OpaquePointer
    private var verifyContexts: [VerifyContextKey: OpaquePointer] = [:]

    private struct VerifyContextKey: Hashable {
        let keySerial: Int
        let algorithm: SignatureAlgorithm
    }

    private init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        digestContext = context
    }

    deinit {
        for context in verifyContexts.values { EVP_PKEY_CTX_free(context) }
        EVP_MD_CTX_free(digestContext)
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<ThreadVerifyContexts>.fromOpaque(pointer).release()
        }
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()

    /// This thread's contexts.
    static var current: ThreadVerifyContexts {
        if let existing = pthread_getspecific(key) {
            return Unmanaged<ThreadVerifyContexts>.fromOpaque(existing).takeUnretainedValue()
        }
        let contexts = ThreadVerifyContexts()
        pthread_setspecific(key, Unmanaged.passRetained(contexts).toOpaque())
        return contexts
    }

    /// A context ready for `EVP_PKEY_verify` with `key` and `algorithm`.
    func verifyContext(for key: RSAPublicKey, algorithm: SignatureAlgorithm) -> OpaquePointer? {
        let cacheKey = VerifyContextKey(keySerial: key.serial, algorithm: algorithm)
        if let context = verifyContexts[cacheKey] { return context }
        guard let context = EVP_PKEY_CTX_new(key.pkey, nil) else { return nil }
        guard EVP_PKEY_verify_init(context) == 1,
              notifyd_set_pkcs1_padding(context) == 1,
              EVP_PKEY_CTX_set_signature_md(context, algorithm.digest) == 1 else {
            EVP_PKEY_CTX_free(context)
            OpenSSLError.drainQueue()
            return nil
        }
        if verifyContexts.count >= 32 {
            // Keys come and go only with reloads; forget old ones now and then.
            for old in verifyContexts.values { EVP_PKEY_CTX_free(old) }
            verifyContexts.removeAll()
        }
        verifyContexts[cacheKey] = context
        return context
    }
}
