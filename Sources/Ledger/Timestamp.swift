#if canImport(Glibc)
import Glibc
#endif

/// UTC timestamps as text (`2024-06-03T02:30:11.123Z`), made without
/// Foundation formatters so that the writer can stamp every row cheaply.
/// They sort as text in time order, and `sqlite3` shows them readably.
public enum Timestamp {
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: spec.tv_sec, milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    /// `seconds` from now (negative for the past), for retry schedules.
    public static func fromNow(seconds: Double) -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let total = Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9 + seconds
        let whole = total.rounded(.down)
        return format(seconds: Int(whole), milliseconds: Int((total - whole) * 1000))
    }

    static func format(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        // 24 ASCII bytes written in place: one small string, no temporaries.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int, digits: Int, at offset: Int) {
                var value = value
                for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(Int(parts.tm_year) + 1900, digits: 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(Int(parts.tm_mon) + 1, digits: 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(Int(parts.tm_mday), digits: 2, at: 8)
            buffer[10] = UInt8(ascii: "T")
            put(Int(parts.tm_hour), digits: 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(Int(parts.tm_min), digits: 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(Int(parts.tm_sec), digits: 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(milliseconds, digits: 3, at: 20)
            buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }
}
