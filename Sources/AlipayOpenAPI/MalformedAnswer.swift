/// Why an answer body could not be read as the JSON object the gateway
/// sends, with the byte offset where reading stopped so a person can find
/// the spot in a logged body.
public enum MalformedAnswer: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case notAnObject(offset: Int)
    case unexpectedByte(UInt8, offset: Int)
    case unexpectedEnd
    case badEscape(offset: Int)
    case controlCharacterInString(offset: Int)
    case trailingBytes(offset: Int)
    case tooDeep(limit: Int)
    /// A top-level key other than the node (`sign`, `alipay_cert_sn`, …) twice.
    case keyRepeated(String)
    /// The response node is a string, number or array, not an object.
    case nodeNotAnObject(String)
    /// The answer has no `<method>_response` and no `error_response`.
    case nodeMissing(String)
    /// The node key twice (a signature bypass if one were verified and the
    /// other acted on), or the method's node beside `error_response`.
    case nodeRepeated(String)
    /// A member of the signed node twice: which one counts is not defined.
    case memberRepeated(String)

    public var description: String {
        switch self {
        case .empty: return "the body is empty"
        case .notAnObject(let offset): return "the body is not a JSON object (byte \(offset))"
        case .unexpectedByte(let byte, let offset): return "unexpected byte 0x\(String(byte, radix: 16)) at byte \(offset)"
        case .unexpectedEnd: return "the body ends inside a JSON value"
        case .badEscape(let offset): return "invalid backslash escape at byte \(offset)"
        case .controlCharacterInString(let offset): return "an unescaped control character inside a string at byte \(offset)"
        case .trailingBytes(let offset): return "bytes after the JSON object, from byte \(offset)"
        case .tooDeep(let limit): return "JSON nested deeper than \(limit) levels"
        case .keyRepeated(let key): return "the top-level key '\(key)' appears more than once"
        case .nodeNotAnObject(let name): return "'\(name)' is not a JSON object"
        case .nodeMissing(let name): return "the answer has neither '\(name)' nor 'error_response'"
        case .nodeRepeated(let name): return "the response node '\(name)' appears more than once; such an answer is refused (which one was signed is ambiguous)"
        case .memberRepeated(let name): return "the member '\(name)' appears more than once in the response node"
        }
    }
}
