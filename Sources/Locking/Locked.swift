#if canImport(Glibc)
import Glibc
#endif

/// A value behind a `pthread_mutex_t`: the daemon's locks.
///
/// Not the standard library's `Mutex` because that one waits on raw futex
/// system calls, which ThreadSanitizer cannot see: every access it
/// serializes would be reported as a data race, and the real races would
/// drown in them (`scripts/sanitize.sh thread` runs the whole suite under
/// it). A pthread mutex is what ThreadSanitizer models, and uncontended it
/// costs the same.
public final class Locked<Value: Sendable>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock.
    @inline(__always)
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
