import AlipayCrypto
import AlipayNotify
import AlipayOpenAPI
import Foundation

/// The gateway answer classification holds the fixture Alipay keys; the only
/// nodes those keys ever signed are the `signed` ones of
/// `Tests/Differential/gateway_answers.jsonl` (signed there by Python's
/// `cryptography`). So for whatever bytes come back from the gateway, under
/// any method:
/// - a success or a refusal must rest on one of those signed nodes, and
///   its fields must read as that node reads (whatever `\/` escapes or
///   other bytes surround it on the wire);
/// - the verdict must not depend on the layout around the node: the same
///   node, sign and certificate SN, re-laid with `sign` before or after the
///   node and other spacing, classify the same.
struct GatewayAnswerProperty: FuzzProperty {
    let keys: [RSAPublicKey]
    /// Signed node bytes → how they read.
    let signed: [[UInt8]: ResponseNodeFields]

    /// `extraKeys` (public key files) are trusted too, without their
    /// signatures counting as Alipay's: how a test shows the property
    /// catches a classification that trusts too much.
    init(extraKeys: [URL] = []) throws {
        let root = FuzzCorpus.packageRoot
        let files = ["alipay_public_key.pem", "alipay_public_key_next.pem"].map { root.appendingPathComponent("Tests/Fixtures/keys/\($0)") }
        keys = try (files + extraKeys).map { try RSAPublicKey(bytes: Array(Data(contentsOf: $0))) }
        var signed: [[UInt8]: ResponseNodeFields] = [:]
        let lines = try String(contentsOf: root.appendingPathComponent("Tests/Differential/gateway_answers.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        for line in lines {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let signer = object["signed_by"] as? String, signer == "current" || signer == "next",
                  let hex = object["signed"] as? String else { continue }
            let node = Self.bytes(hex: hex)
            signed[node] = try ResponseNodeFields(nodeText: node)
        }
        self.signed = signed
    }

    func check(_ input: [UInt8]) throws(PropertyViolation) {
        for method in GatewayMethod.allCases {
            let outcome = GatewayOutcome.classify(httpStatus: 200, body: input, method: method, keys: keys)
            try checkRestsOnSignedBytes(outcome)
            try checkLayoutDoesNotMatter(input, method: method, verdict: Self.verdict(outcome))
        }
    }

    func checkRestsOnSignedBytes(_ outcome: GatewayOutcome) throws(PropertyViolation) {
        let content: [UInt8]
        let fields: ResponseNodeFields
        switch outcome {
        case .success(let success): (content, fields) = (success.signedContent, success.fields)
        case .refusal(let refusal): (content, fields) = (refusal.signedContent, refusal.fields)
        case .unknown: return
        }
        guard let meaning = signed[content] else {
            throw PropertyViolation("\(outcome.code) rests on bytes no key signed: \(String(decoding: content, as: UTF8.self).debugDescription)")
        }
        guard meaning == fields else {
            throw PropertyViolation("the signed node reads \(meaning) but the answer was read as \(fields)")
        }
    }

    func checkLayoutDoesNotMatter(_ input: [UInt8], method: GatewayMethod, verdict: String) throws(PropertyViolation) {
        guard let scanned = try? AnswerScanner.scan(input, method: method) else { return }
        for layout in Self.layouts(of: scanned, node: Array(input[scanned.node])) {
            let other = Self.verdict(GatewayOutcome.classify(httpStatus: 200, body: layout, method: method, keys: keys))
            guard other == verdict else {
                throw PropertyViolation("the same node and sign laid out as \(String(decoding: layout, as: UTF8.self).debugDescription) "
                    + "give \(other), not \(verdict)")
            }
        }
    }

    /// What the daemon would act on, as comparable text.
    static func verdict(_ outcome: GatewayOutcome) -> String {
        switch outcome {
        case .success(let success): return "success \(success.fields)"
        case .refusal(let refusal): return "\(outcome.code) \(refusal.fields)"
        case .unknown: return outcome.code
        }
    }

    /// The scanned parts, laid out again: sign after and before the node,
    /// compact and spaced.
    static func layouts(of scanned: ScannedAnswer, node: [UInt8]) -> [[UInt8]] {
        let nodeMember = jsonString(Array(scanned.nodeName.utf8)) + Array(":".utf8) + node
        let signMember = scanned.sign.map { Array(#""sign":"#.utf8) + jsonString($0) }
        let certMember = scanned.alipayCertSN.map { Array(#""alipay_cert_sn":"#.utf8) + jsonString(Array($0.utf8)) }
        func object(_ members: [[UInt8]?], separator: String, open: String, close: String) -> [UInt8] {
            Array(open.utf8) + Array(members.compactMap { $0 }.joined(separator: Array(separator.utf8))) + Array(close.utf8)
        }
        return [
            object([nodeMember, certMember, signMember], separator: ",", open: "{", close: "}"),
            object([signMember, certMember, nodeMember], separator: " ,\n\t", open: "\r\n { ", close: " }\n"),
        ]
    }

    /// A JSON string of raw bytes: quote, backslash and control bytes
    /// escaped, every other byte as it is.
    static func jsonString(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "\"")]
        let hex = Array("0123456789abcdef".utf8)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                output += [UInt8(ascii: "\\"), byte]
            case 0..<0x20:
                output += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
        return output
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map { index in
            UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) ?? 0
        }
    }
}
