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
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }
}
