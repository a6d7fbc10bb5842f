#if canImport(Glibc)
import Glibc
#endif

/// The one lock of a `LedgerLane`: a pthread mutex guarding its state
/// machine, with a condition variable on it for each thread that waits
/// (the writer, the sync thread, the thread shutting the lane down), so a
/// wake-up reaches only the thread it is meant for.
///
/// pthread, as in `Locked`, because ThreadSanitizer models it (the
/// standard library's `Mutex` waits on futexes it cannot see).
final class LaneLock: @unchecked Sendable {
    typealias Wakes = LaneWakes

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// One per bit of `Wakes`: writer, syncer, shutdown.
    private let conditions: UnsafeMutablePointer<pthread_cond_t>
    private static let conditionCount = 3

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        conditions = .allocate(capacity: Self.conditionCount)
        for index in 0..<Self.conditionCount {
            (conditions + index).initialize(to: pthread_cond_t())
            pthread_cond_init(conditions + index, nil)
        }
    }

    deinit {
        for index in 0..<Self.conditionCount { pthread_cond_destroy(conditions + index) }
        conditions.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    func lock() { pthread_mutex_lock(mutex) }

    @inline(__always)
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits, with the lock held, until `waiter` (one thread) is signalled
    /// (or spuriously: the caller asks its machine again).
    func wait(_ waiter: Wakes) {
        pthread_cond_wait(conditions + Self.index(waiter), mutex)
    }

    /// Wakes each thread in `wakes`; called with the lock held.
    @inline(__always)
    func signal(_ wakes: Wakes) {
        var remaining = wakes.rawValue
        while remaining != 0 {
            pthread_cond_signal(conditions + remaining.trailingZeroBitCount)
            remaining &= remaining - 1
        }
    }

    private static func index(_ waiter: Wakes) -> Int {
        waiter.rawValue.trailingZeroBitCount
    }
}
