import AlipayCrypto
import AlipayOpenAPI
import Foundation
import TestSupport

/// One line of `Tests/Differential/gateway_answers.jsonl`: an answer body
/// signed by `make_gateway_answers.py` with Python's `cryptography`, and
/// the outcome code it must classify as.
struct GatewayAnswerCase: Decodable, Sendable, CustomStringConvertible {
    let name: String
    let method: String
    let status: Int
    let body: String
    let signed: String?
    let signed_by: String?
    let expect: String
    let note: String

    var description: String { name }
    var bodyBytes: [UInt8] { Self.bytes(hex: body) }
    var gatewayMethod: GatewayMethod { GatewayMethod(rawValue: method)! }

    static let all: [GatewayAnswerCase] = {
        let url = Fixtures.packageRoot.appendingPathComponent("Tests/Differential/gateway_answers.jsonl")
        do {
            return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
                try JSONDecoder().decode(GatewayAnswerCase.self, from: Data(line.utf8))
            }
        } catch {
            fatalError("cannot read Tests/Differential/gateway_answers.jsonl: \(error)")
        }
    }()

    static func named(_ name: String) -> GatewayAnswerCase {
        guard let found = all.first(where: { $0.name == name }) else { fatalError("no gateway answer case '\(name)'") }
        return found
    }

    /// The two Alipay keys a daemon in a key rotation trusts.
    static let keys: [RSAPublicKey] = {
        do {
            return try [Fixtures.currentPublicKeyPEM, Fixtures.nextPublicKeyPEM].map { try RSAPublicKey(bytes: Fixtures.bytes($0)) }
        } catch {
            fatalError("cannot load the fixture Alipay public keys: \(error)")
        }
    }()

    func classify(keys: [RSAPublicKey] = GatewayAnswerCase.keys) -> GatewayOutcome {
        GatewayOutcome.classify(httpStatus: status, body: bodyBytes, method: gatewayMethod, keys: keys)
    }

    static func bytes(hex: String) -> [UInt8] {
        var output: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            output.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return output
    }
}
