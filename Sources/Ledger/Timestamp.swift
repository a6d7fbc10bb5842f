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

extension Timestamp {
    /// Seconds from `text` (as `now()` writes it) until now; nil when it is
    /// not such a timestamp.
    public static func secondsSince(_ text: String) -> Double? {
        epochSeconds(text).map { nowEpochSeconds() - $0 }
    }

    /// Seconds since 1970 now, as the timestamps count them.
    public static func nowEpochSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// The timestamp of a moment given in seconds since 1970.
    public static func of(epochSeconds: Double) -> String {
        let whole = epochSeconds.rounded(.down)
        return format(seconds: Int(whole), milliseconds: min(999, Int((epochSeconds - whole) * 1000)))
    }

    /// Seconds since 1970 of `text` (as `now()` writes it); nil when it is
    /// not such a timestamp.
    public static func epochSeconds(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"), bytes[23] == UInt8(ascii: "Z") else { return nil }
        func number(_ offset: Int, _ digits: Int) -> Int? {
            var value = 0
            for byte in bytes[offset..<(offset + digits)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), let millisecond = number(20, 3) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Double(timegm(&parts)) + Double(millisecond) / 1000
    }
}
