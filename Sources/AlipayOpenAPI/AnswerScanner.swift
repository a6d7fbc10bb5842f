/// Finds the signed parts of a gateway answer in its raw bytes, with a
/// scanner that knows JSON strings and escapes (a `}` or `"` inside a value,
/// `\"`, `\\`, `\/`, `\uXXXX`), so the node's range ends at its own closing
/// brace and nothing is re-serialized.
///
/// It reads the whole body: every top-level key is compared after its
/// escapes are decoded (`"alipay_trade_query\u005fresponse"` is the same
/// key), and a body with the node twice, with both the method's node and
/// `error_response`, or with any top-level key twice, is refused.
public enum AnswerScanner {
    public static func scan(_ body: [UInt8], method: GatewayMethod) throws(MalformedAnswer) -> ScannedAnswer {
        let methodNode = Array(method.responseNodeName.utf8)
        let errorNode = Array(GatewayMethod.errorNodeName.utf8)
        let signKey = Array("sign".utf8)
        let certKey = Array("alipay_cert_sn".utf8)

        var reader = JSONBytes(body)
        reader.skipWhitespace()
        guard !reader.isAtEnd else { throw .empty }
        guard try reader.peek() == UInt8(ascii: "{") else { throw .notAnObject(offset: reader.position) }
        reader.position += 1

        var node: (name: [UInt8], range: Range<Int>)?
        var sign: [UInt8]?
        var certSN: [UInt8]?
        var seenKeys: Set<[UInt8]> = []

        reader.skipWhitespace()
        if try reader.peek() == UInt8(ascii: "}") {
            reader.position += 1
        } else {
            while true {
                reader.skipWhitespace()
                let keyRange = try reader.readString()
                let key = JSONBytes.decodeString(body[keyRange])
                reader.skipWhitespace()
                try reader.expect(UInt8(ascii: ":"))
                reader.skipWhitespace()
                let valueStart = reader.position
                let value = try reader.skipValue(depth: 1)

                if key == methodNode || key == errorNode {
                    if let existing = node {
                        let names = existing.name == key
                            ? String(decoding: key, as: UTF8.self)
                            : "\(String(decoding: existing.name, as: UTF8.self)) and \(String(decoding: key, as: UTF8.self))"
                        throw .nodeRepeated(names)
                    }
                    guard body[valueStart] == UInt8(ascii: "{") else {
                        throw .nodeNotAnObject(String(decoding: key, as: UTF8.self))
                    }
                    node = (key, value)
                } else if !seenKeys.insert(key).inserted {
                    throw .keyRepeated(String(decoding: key, as: UTF8.self))
                } else if key == signKey || key == certKey, body[valueStart] == UInt8(ascii: "\"") {
                    let decoded = JSONBytes.decodeString(body[(value.lowerBound + 1)..<(value.upperBound - 1)])
                    if key == signKey { sign = decoded } else { certSN = decoded }
                }

                if try reader.anotherMemberFollows() { continue }
                break
            }
        }
        reader.skipWhitespace()
        guard reader.isAtEnd else { throw .trailingBytes(offset: reader.position) }
        guard let node else { throw .nodeMissing(method.responseNodeName) }
        return ScannedAnswer(
            nodeName: String(decoding: node.name, as: UTF8.self),
            node: node.range,
            sign: sign,
            alipayCertSN: certSN.map { String(decoding: $0, as: UTF8.self) }
        )
    }
}
