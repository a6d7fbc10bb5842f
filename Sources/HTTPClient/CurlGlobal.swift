import CCurl

/// libcurl's process-wide initialization, done once before the first easy
/// handle. `curl_easy_init` would do it lazily, but not safely when two
/// threads make their first handle at once; a Swift `static let` is
/// initialized exactly once, under a lock.
package enum CurlGlobal {
    private static let initialized: Bool = notifyd_curl_global_init() == CURLE_OK

    /// True when libcurl is initialized (false only when it could not allocate).
    static func initialize() -> Bool { initialized }
}
