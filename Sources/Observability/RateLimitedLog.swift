import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
import Locking
#endif

/// Lets one log line through per interval and counts the rest, so that a
/// flood of forged requests cannot flood the journal. The next line that
/// passes says how many were suppressed. (Metrics still count every one.)
package final class RateLimitedLog: Sendable {
    private let intervalNanoseconds: Int64
    private let state = Locked<(last: Int64, suppressed: Int)>((0, 0))

    package init(perSecond: Int = 1) {
        intervalNanoseconds = 1_000_000_000 / Int64(max(1, perSecond))
    }

    /// Nil when this line must be dropped; otherwise how many were dropped since the last one.
    package func admit() -> Int? {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nanoseconds = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        return state.withLock { state in
            if state.last != 0 && nanoseconds - state.last < intervalNanoseconds {
                state.suppressed += 1
                return nil
            }
            let suppressed = state.suppressed
            state = (nanoseconds, 0)
            return suppressed
        }
    }
}
