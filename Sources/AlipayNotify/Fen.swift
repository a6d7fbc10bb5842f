/// An amount of money in fen (1/100 yuan), the only way the project holds money.
///
/// Alipay sends amounts as decimal strings with at most two fraction digits
/// (`"88.88"`, `"100"`, `"0.5"`). They are parsed digit by digit into an
/// integer, never through floating point, so equality is exact.
public struct Fen: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: Int64

    public init(_ value: Int64) {
        self.value = value
    }

    /// Twelve integer digits: a trillion yuan, far above Alipay's single-trade
    /// limit, and far below `Int64.max` fen.
    static let maximumIntegerDigits = 12

    /// Parses `"123"`, `"123.4"` or `"123.45"`. Returns nil for anything else:
    /// signs, spaces, exponents, a third fraction digit, an empty side of the dot.
    public init?<Bytes: Collection>(decimal bytes: Bytes) where Bytes.Element == UInt8 {
        var integer: Int64 = 0
        var integerDigits = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var sawDot = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int64(byte &- UInt8(ascii: "0"))
                if sawDot {
                    fractionDigits += 1
                    guard fractionDigits <= 2 else { return nil }
                    fraction = fraction * 10 + digit
                } else {
                    integerDigits += 1
                    guard integerDigits <= Fen.maximumIntegerDigits else { return nil }
                    integer = integer * 10 + digit
                }
            case UInt8(ascii: "."):
                guard !sawDot else { return nil }
                sawDot = true
            default:
                return nil
            }
        }
        guard integerDigits > 0, !sawDot || fractionDigits > 0 else { return nil }
        if fractionDigits == 1 { fraction *= 10 }
        self.value = integer * 100 + fraction
    }

    /// Parses a decimal string; see `init(decimal:)` for the accepted forms.
    public init?(decimal text: String) {
        self.init(decimal: text.utf8)
    }

    /// `"88.88"`: two fraction digits, as Alipay writes amounts.
    public var description: String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    public static func < (lhs: Fen, rhs: Fen) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Fen, rhs: Fen) -> Fen { Fen(lhs.value + rhs.value) }
    public static func - (lhs: Fen, rhs: Fen) -> Fen { Fen(lhs.value - rhs.value) }
    public static let zero = Fen(0)
}
