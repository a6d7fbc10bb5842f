#if canImport(Glibc)
import Glibc
#endif

/// The one clock for deadlines and elapsed times: `CLOCK_MONOTONIC`, which
/// no change of the wall clock moves.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point (boot). Compare two
    /// readings; never show one. `clock_gettime(2)`.
    public static func nanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
