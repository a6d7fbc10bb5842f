#if canImport(Glibc)
import Glibc
#endif

/// A notification body split into its parameters and form-decoded exactly once,
/// in the charset the body declares.
///
/// This is the only place the raw body is interpreted, and it follows the rules
/// in the fixtures' README: split on `&`, then at the first `=`; decode `+` and
/// `%XX` once; read the `charset` parameter (UTF-8 when absent); reject text
/// that is not valid in that charset and any parameter name that appears twice.
/// Nothing is trimmed or normalized. Keys and values live in one buffer, so a
/// body of thirty parameters costs a handful of allocations, not sixty.
public struct FormFields: Sendable {
    /// One parameter: where its key and value sit in the two buffers.
    struct Field: Sendable {
        var rawKey: Range<Int>
        var rawValue: Range<Int>
        var key: Range<Int>
        var value: Range<Int>
    }

    /// The charset the body declared (UTF-8 when it declared none).
    public let charset: Charset
    /// Decoded bytes of every key and value, in the body's charset.
    let raw: [UInt8]
    /// The same texts as UTF-8; identical to `raw` for UTF-8 bodies.
    let text: [UInt8]
    /// Parameters in body order.
    let fields: [Field]
    /// Indices into `fields`, sorted by the UTF-8 bytes of the key.
    let sortedOrder: [Int]

    /// At most this many parameters; a real notification has about thirty.
    public static let maximumParameterCount = 512

    public init(body: [UInt8]) throws(FormDecodingError) {
        var fields: [Field] = []
        fields.reserveCapacity(40)
        var tooMany = false
        var emptyName = false
        // Decoding never lengthens: one buffer the body's size holds every key and value.
        let raw = [UInt8](unsafeUninitializedCapacity: body.count) { output, written in
            written = 0
            body.withUnsafeBufferPointer { source in
                var pieceStart = 0
                let count = source.count
                while pieceStart <= count {
                    var pieceEnd = pieceStart
                    while pieceEnd < count && source[pieceEnd] != UInt8(ascii: "&") { pieceEnd += 1 }
                    if pieceEnd > pieceStart {
                        var equals = pieceStart
                        while equals < pieceEnd && source[equals] != UInt8(ascii: "=") { equals += 1 }
                        if equals == pieceStart { emptyName = true; return }
                        if fields.count == FormFields.maximumParameterCount { tooMany = true; return }
                        let keyStart = written
                        written = PercentDecoding.decode(source, pieceStart..<equals, into: output, at: written)
                        let valueStart = written
                        if equals < pieceEnd {
                            written = PercentDecoding.decode(source, (equals + 1)..<pieceEnd, into: output, at: written)
                        }
                        let key = keyStart..<valueStart
                        let value = valueStart..<written
                        fields.append(Field(rawKey: key, rawValue: value, key: key, value: value))
                    }
                    pieceStart = pieceEnd + 1
                }
            }
        }
        if emptyName { throw .emptyParameterName }
        if tooMany { throw .tooManyParameters(FormFields.maximumParameterCount) }

        // The charset parameter's key and value are ASCII, so it can be found
        // before the rest of the text is interpreted.
        var charset = Charset.utf8
        if let field = fields.first(where: { raw[$0.rawKey].elementsEqual("charset".utf8) }) {
            let declared = raw[field.rawValue]
            guard let parsed = Charset(declared: declared) else {
                throw .unsupportedCharset(String(decoding: declared, as: UTF8.self))
            }
            charset = parsed
        }

        var text = raw
        if charset == .utf8 {
            for field in fields {
                guard UTF8Validation.isValid(raw[field.rawKey]) else {
                    throw .notValidText(parameter: Self.printable(raw[field.rawKey]), charset: charset)
                }
                guard UTF8Validation.isValid(raw[field.rawValue]) else {
                    throw .notValidText(parameter: String(decoding: raw[field.rawKey], as: UTF8.self), charset: charset)
                }
            }
        } else {
            text = []
            text.reserveCapacity(raw.count * 3 / 2)
            for index in fields.indices {
                guard let key = charset.utf8(from: raw[fields[index].rawKey]) else {
                    throw .notValidText(parameter: Self.printable(raw[fields[index].rawKey]), charset: charset)
                }
                guard let value = charset.utf8(from: raw[fields[index].rawValue]) else {
                    throw .notValidText(parameter: String(decoding: key, as: UTF8.self), charset: charset)
                }
                let keyStart = text.count
                text.append(contentsOf: key)
                let valueStart = text.count
                text.append(contentsOf: value)
                fields[index].key = keyStart..<valueStart
                fields[index].value = valueStart..<text.count
            }
        }

        let sortedOrder = text.withUnsafeBufferPointer { buffer in
            fields.indices.sorted { left, right in
                Self.bytesPrecede(buffer, fields[left].key, fields[right].key)
            }
        }
        for position in sortedOrder.indices.dropFirst() {
            let previous = fields[sortedOrder[position - 1]].key
            let current = fields[sortedOrder[position]].key
            if text[previous].elementsEqual(text[current]) {
                throw .duplicateParameter(String(decoding: text[current], as: UTF8.self))
            }
        }

        self.charset = charset
        self.raw = raw
        self.text = text
        self.fields = fields
        self.sortedOrder = sortedOrder
    }

    /// The number of parameters, empty ones included.
    public var count: Int { fields.count }

    /// The UTF-8 bytes of a parameter's value, or nil when the body lacks it.
    public func bytes(_ key: String) -> ArraySlice<UInt8>? {
        var key = key
        return key.withUTF8 { wanted in
            text.withUnsafeBufferPointer { buffer in
                for field in fields where field.key.count == wanted.count
                    && memcmp(buffer.baseAddress! + field.key.lowerBound, wanted.baseAddress!, wanted.count) == 0 {
                    return text[field.value]
                }
                return nil
            }
        }
    }

    /// A parameter's value as text, or nil when the body lacks it.
    public func string(_ key: String) -> String? {
        bytes(key).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A parameter's value as text, or nil when the body lacks it or sent it empty.
    public func nonEmptyString(_ key: String) -> String? {
        guard let value = bytes(key), !value.isEmpty else { return nil }
        return String(decoding: value, as: UTF8.self)
    }

    /// Every parameter as UTF-8 text, in body order (for tools and tests).
    public var pairs: [(key: String, value: String)] {
        fields.map { (String(decoding: text[$0.key], as: UTF8.self), String(decoding: text[$0.value], as: UTF8.self)) }
    }

    /// Byte-order comparison of two ranges of one buffer.
    @inline(__always)
    static func bytesPrecede(_ buffer: UnsafeBufferPointer<UInt8>, _ left: Range<Int>, _ right: Range<Int>) -> Bool {
        let common = min(left.count, right.count)
        var offset = 0
        while offset < common {
            let a = buffer[left.lowerBound + offset]
            let b = buffer[right.lowerBound + offset]
            if a != b { return a < b }
            offset += 1
        }
        return left.count < right.count
    }

    static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
    }
}

/// Why a body could not be read as form parameters. Each case names the
/// parameter at fault so a person can find it in the body.
public enum FormDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyParameterName
    case tooManyParameters(Int)
    case duplicateParameter(String)
    case unsupportedCharset(String)
    case notValidText(parameter: String, charset: Charset)

    public var description: String {
        switch self {
        case .emptyParameterName:
            return "a parameter has an empty name (a piece of the body starts with '=')"
        case .tooManyParameters(let limit):
            return "more than \(limit) parameters"
        case .duplicateParameter(let name):
            return "parameter '\(name)' appears more than once, which is ambiguous"
        case .unsupportedCharset(let name):
            return "charset '\(name)' is not supported (utf-8 or GBK)"
        case .notValidText(let parameter, let charset):
            return "parameter '\(parameter)' is not valid \(charset.rawValue) text"
        }
    }
}
