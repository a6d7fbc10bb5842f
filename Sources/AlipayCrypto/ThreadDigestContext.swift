import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// One `EVP_MD_CTX` per thread, created on first use and freed when the
/// thread exits, so verifying does not allocate a context per request.
enum ThreadDigestContext {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            EVP_MD_CTX_free(OpaquePointer(pointer))
        }
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()

    /// This thread's context, reset and ready for an `Init` call.
    static func current() -> OpaquePointer {
        if let existing = pthread_getspecific(key) {
            let context = OpaquePointer(existing)
            EVP_MD_CTX_reset(context)
            return context
        }
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        pthread_setspecific(key, UnsafeRawPointer(context))
        return context
    }
}
