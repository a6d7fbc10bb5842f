/// The value of one hexadecimal digit, for the two places that read them:
/// `%XX` escapes in form bodies (AlipayNotify) and chunk sizes (HTTPServer).
///
/// A module of its own so that neither of those depends on the other, and
/// the domain keeps depending on nothing that does I/O.
public enum HexDigit {
    /// 0–15 for `0-9`, `a-f` and `A-F`; nil for any other byte.
    @inlinable
    public static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }
}
