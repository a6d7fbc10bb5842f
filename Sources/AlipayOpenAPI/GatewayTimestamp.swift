/// The `timestamp` parameter of a request, `yyyy-MM-dd HH:mm:ss` in China
/// time (UTC+8, no daylight saving), as the Java SDK sends it. It is computed
/// from seconds since 1970 that the caller passes, never from the machine's
/// clock or time zone, so a server set to UTC signs the same text as one in
/// Shanghai.
public struct GatewayTimestamp: Sendable, Hashable, CustomStringConvertible {
    /// China Standard Time is eight hours ahead of UTC all year.
    static let chinaOffsetSeconds: Int64 = 8 * 3600

    public let text: String

    /// - Parameter secondsSince1970: Unix time in whole seconds (UTC).
    public init(secondsSince1970: Int64) {
        let local = secondsSince1970 + Self.chinaOffsetSeconds
        let days = Self.floorDivide(local, 86_400)
        let secondOfDay = local - days * 86_400
        let (year, month, day) = Self.civilDate(daysSince1970: days)
        text = "\(Self.padded(year, 4))-\(Self.padded(month, 2))-\(Self.padded(day, 2)) "
            + "\(Self.padded(secondOfDay / 3600, 2)):\(Self.padded(secondOfDay / 60 % 60, 2)):\(Self.padded(secondOfDay % 60, 2))"
    }

    public var description: String { text }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor < 0) ? quotient - 1 : quotient
    }

    /// The proleptic Gregorian date of a day count (Howard Hinnant's
    /// `civil_from_days`): exact for every day, no calendar tables.
    static func civilDate(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSince1970 + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
