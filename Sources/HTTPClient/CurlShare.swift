import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// What the handles of one client share through libcurl's share interface:
/// the DNS cache and TLS sessions, so that a handle opening a new
/// connection resumes a TLS session another handle negotiated instead of a
/// full handshake. Guarded by one mutex, which libcurl takes and releases
/// through the callbacks (handles run on several threads at once).
package final class CurlShare: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// Nil when libcurl cannot make one (out of memory); handles then work
    /// without sharing.
    init?() {
        guard CurlGlobal.initialize(), let handle = curl_share_init() else { return nil }
        self.handle = handle
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        let lock: notifyd_curl_lock_callback = { _, _, _, context in
            pthread_mutex_lock(context!.assumingMemoryBound(to: pthread_mutex_t.self))
        }
        let unlock: notifyd_curl_unlock_callback = { _, _, context in
            pthread_mutex_unlock(context!.assumingMemoryBound(to: pthread_mutex_t.self))
        }
        let codes = [
            notifyd_curl_share_setopt_pointer(handle, CURLSHOPT_USERDATA, UnsafeMutableRawPointer(mutex)),
            notifyd_curl_share_set_locks(handle, lock, unlock),
            notifyd_curl_share_setopt_long(handle, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue)),
            notifyd_curl_share_setopt_long(handle, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue)),
        ]
        guard codes.allSatisfy({ $0 == CURLSHE_OK }) else {
            curl_share_cleanup(handle)
            pthread_mutex_destroy(mutex)
            mutex.deallocate()
            return nil
        }
    }

    /// Only after every handle using it was cleaned up (the client's deinit).
    deinit {
        curl_share_cleanup(handle)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
}
