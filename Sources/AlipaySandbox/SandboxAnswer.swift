import AlipayCrypto
import AlipayNotify

/// A gateway answer as the sandbox writes it: the `<method>_response` node
/// (members in order, string values), signed with Alipay's private key over
/// the node's bytes exactly as sent, or spoiled by a fault.
struct SandboxAnswer {
    let nodeName: String
    let members: [(String, String)]
    var signed = true

    /// The usual members of every answer: code and msg first.
    static func success(_ nodeName: String, _ members: [(String, String)]) -> SandboxAnswer {
        SandboxAnswer(nodeName: nodeName, members: [("code", "10000"), ("msg", "Success")] + members)
    }

    /// A business refusal (code 40004) with its sub_code, signed as Alipay signs them.
    static func refusal(_ nodeName: String, subCode: String, subMessage: String, code: String = "40004",
                        message: String = "Business Failed") -> SandboxAnswer {
        SandboxAnswer(nodeName: nodeName, members: [("code", code), ("msg", message), ("sub_code", subCode), ("sub_msg", subMessage)])
    }

    /// The body bytes, with `fault` played (nil: a well-formed signed answer).
    func body(signer key: RSAPrivateKey, certificateSN: String? = nil, fault: SandboxFault?, decoy: [(String, String)]? = nil) throws -> [UInt8] {
        let asSent = Self.node(members, unicodeEscapes: fault == .unicodeEscapes, escapedSlashes: fault == .escapedSlashes)
        // Alipay signed the text before it escaped its slashes.
        let asSigned = fault == .escapedSlashes ? Self.node(members, unicodeEscapes: false, escapedSlashes: false) : asSent
        var body = Array("{\"\(nodeName)\":".utf8) + asSent
        if fault == .doubled, let decoy {
            body += Array(",\"\(nodeName)\":".utf8) + Self.node(decoy, unicodeEscapes: false, escapedSlashes: false)
        }
        if let certificateSN { body += Array(",\"alipay_cert_sn\":\"\(certificateSN)\"".utf8) }
        if signed && fault != .unsigned {
            var signature = try key.sign(asSigned, algorithm: .rsa2)
            if fault == .forged { signature[signature.count / 2] ^= 0x5A }
            body += Array(",\"sign\":\"\(Base64.encode(signature))\"".utf8)
        }
        return body + [UInt8(ascii: "}")]
    }

    static func node(_ members: [(String, String)], unicodeEscapes: Bool, escapedSlashes: Bool) -> [UInt8] {
        var text = "{"
        for (index, (key, value)) in members.enumerated() {
            if index > 0 { text += "," }
            text += JSONText.string(key) + ":" + Self.string(value, unicodeEscapes: unicodeEscapes, escapedSlashes: escapedSlashes)
        }
        return Array((text + "}").utf8)
    }

    static func string(_ value: String, unicodeEscapes: Bool, escapedSlashes: Bool) -> String {
        var text = JSONText.string(value)
        if escapedSlashes { text = text.replacing("/", with: "\\/") }
        guard unicodeEscapes else { return text }
        var escaped = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                escaped.unicodeScalars.append(scalar)
            } else {
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            }
        }
        return escaped
    }
}
