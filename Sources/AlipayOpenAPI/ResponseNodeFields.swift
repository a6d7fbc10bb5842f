import AlipayNotify

/// The members of a verified response node, read flat: string values with
/// their escapes decoded, numbers and literals kept as their text, nested
/// objects and arrays kept as their raw JSON text (e.g. `fund_bill_list`).
///
/// Text that is not UTF-8 is read as GBK (Alipay has sent `sub_msg` in GBK
/// under `charset=utf-8`), and failing that lossily, so a signed refusal
/// never becomes unreadable because of its message: `code` and `sub_code`
/// are ASCII and survive either way.
public struct ResponseNodeFields: Sendable, Equatable, CustomStringConvertible {
    /// One member's value.
    public enum Value: Sendable, Equatable {
        case string(String)
        /// A number exactly as written (`"88.88"` stays `88.88`, never a Double).
        case number(String)
        /// `true`, `false` or `null`.
        case literal(String)
        /// An object or array, as its JSON text.
        case nested(String)
    }

    /// Members in the order they appear in the node.
    public let members: [(name: String, value: Value)]

    /// Reads a node given on its own (its whole text is one JSON object),
    /// as tools and tests hold it: the same reader the classification uses.
    public init(nodeText: [UInt8]) throws(MalformedAnswer) {
        var reader = JSONBytes(nodeText)
        let range = try reader.skipValue()
        reader.skipWhitespace()
        guard reader.isAtEnd else { throw .trailingBytes(offset: reader.position) }
        guard nodeText[range.lowerBound] == UInt8(ascii: "{") else { throw .notAnObject(offset: range.lowerBound) }
        try self.init(nodeText, node: range)
    }

    /// Reads the object that spans `node` in `bytes` (already checked by the
    /// scanner). A member name that appears twice is refused.
    init(_ bytes: [UInt8], node: Range<Int>) throws(MalformedAnswer) {
        var reader = JSONBytes(bytes, position: node.lowerBound)
        try reader.expect(UInt8(ascii: "{"))
        var members: [(name: String, value: Value)] = []
        var names: Set<String> = []
        reader.skipWhitespace()
        if try reader.peek() == UInt8(ascii: "}") {
            self.members = []
            return
        }
        while true {
            reader.skipWhitespace()
            let nameRange = try reader.readString()
            let name = Self.text(JSONBytes.decodeString(bytes[nameRange]))
            reader.skipWhitespace()
            try reader.expect(UInt8(ascii: ":"))
            let valueRange = try reader.skipValue(depth: 1)
            let value: Value
            switch bytes[valueRange.lowerBound] {
            case UInt8(ascii: "\""):
                value = .string(Self.text(JSONBytes.decodeString(bytes[(valueRange.lowerBound + 1)..<(valueRange.upperBound - 1)])))
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                value = .nested(Self.text(bytes[valueRange]))
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                value = .literal(Self.text(bytes[valueRange]))
            default:
                value = .number(Self.text(bytes[valueRange]))
            }
            guard names.insert(name).inserted else { throw .memberRepeated(name) }
            members.append((name, value))
            if try reader.anotherMemberFollows() { continue }
            break
        }
        self.members = members
    }

    /// A member's value, or nil when the node lacks it.
    public subscript(name: String) -> Value? {
        members.first { $0.name == name }?.value
    }

    /// A member's text: a string's decoded value, or a number's digits
    /// (some fields are sent either way); nil for anything else or absent.
    public func string(_ name: String) -> String? {
        switch self[name] {
        case .string(let text)?, .number(let text)?: return text
        default: return nil
        }
    }

    /// A member's text when it is present and not empty.
    public func nonEmptyString(_ name: String) -> String? {
        guard let text = string(name), !text.isEmpty else { return nil }
        return text
    }

    public var description: String {
        "{" + members.map { member in
            let value: String
            switch member.value {
            case .string(let text): value = JSONText.string(text)
            case .number(let text), .literal(let text), .nested(let text): value = text
            }
            return JSONText.string(member.name) + ":" + value
        }.joined(separator: ",") + "}"
    }

    public static func == (lhs: ResponseNodeFields, rhs: ResponseNodeFields) -> Bool {
        lhs.members.elementsEqual(rhs.members) { $0.name == $1.name && $0.value == $1.value }
    }

    /// UTF-8 as it is; otherwise GBK; otherwise UTF-8 with replacement characters.
    static func text<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if UTF8Validation.isValid(bytes) { return String(decoding: bytes, as: UTF8.self) }
        if let converted = Charset.gbk.utf8(from: bytes) { return String(decoding: converted, as: UTF8.self) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
