/// The character sets an Alipay notification body may declare in its
/// `charset` parameter. The `%XX` bytes of the body are in this charset, and
/// the signature covers the canonical string encoded in it.
public enum Charset: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case gbk = "GBK"

    /// Reads a `charset` parameter value. Alipay documents `utf-8`, `gbk` and
    /// `gb2312` (a subset of GBK); the comparison ignores ASCII case.
    public init?<Bytes: Collection>(declared bytes: Bytes) where Bytes.Element == UInt8 {
        let lowered = String(decoding: bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        switch lowered {
        case "utf-8", "utf8": self = .utf8
        case "gbk", "gb2312", "cp936": self = .gbk
        default: return nil
        }
    }

    /// Converts text in this charset to UTF-8, or nil when the bytes are not
    /// valid in it (never a lossy fallback).
    public func utf8<Bytes: Collection>(from bytes: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
        switch self {
        case .utf8:
            return UTF8Validation.isValid(bytes) ? Array(bytes) : nil
        case .gbk:
            return IconvConverter.convert(Array(bytes), from: "GBK", to: "UTF-8")
        }
    }

    /// Converts UTF-8 text to this charset, or nil when a character has no
    /// representation in it.
    public func encode<Bytes: Collection>(utf8 bytes: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
        switch self {
        case .utf8:
            return UTF8Validation.isValid(bytes) ? Array(bytes) : nil
        case .gbk:
            return IconvConverter.convert(Array(bytes), from: "UTF-8", to: "GBK")
        }
    }
}
