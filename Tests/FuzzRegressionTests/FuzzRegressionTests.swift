import AlipayCrypto
import AlipayNotify
import AlipayOpenAPI
@testable import DaemonSettings
import Foundation
@testable import FuzzChecks
import TestSupport
import Testing

/// Every kept input of every fuzz target (seeds and past crashers in
/// `Tests/FuzzCorpus`) still satisfies the target's property, so a fixed
/// crash stays fixed.
@Suite struct FuzzRegressionTests {
    @Test(arguments: FuzzTarget.allCases)
    func everyKeptInputSatisfiesTheProperty(_ target: FuzzTarget) throws {
        let property = try target.makeProperty()
        let inputs = try FuzzCorpus.inputs(target)
        #expect(inputs.contains { $0.name.hasPrefix("seed-") }, "no seeds for \(target.rawValue)")
        for input in inputs {
            #expect(throws: Never.self, "\(target.rawValue)/\(input.name)") { try property.check(input.bytes) }
        }
    }
}

/// The properties are able to fail: each is shown an input that breaks it.
@Suite struct FuzzPropertyTests {
    @Test func theSignaturePropertyCatchesAVerifierThatAcceptsWhatAlipayNeverSigned() throws {
        // A verifier that also trusts the unrelated (attacker's) key accepts
        // its signature; the property must call that a violation.
        let fixtures = FuzzCorpus.packageRoot.appendingPathComponent("Tests/Fixtures")
        let attacker = try RSAPrivateKey(bytes: Array(Data(contentsOf: fixtures.appendingPathComponent("keys/unrelated_private_key.pem"))))
        let genuine = try #require(FuzzCorpus.inputs(.signature).first { $0.name == "seed-trade_success_plain" })
        let forged = try NotificationSigner(key: attacker).sign(body: genuine.bytes, overrides: [("total_amount", "0.01")])

        let derived = try publicKeyFile(of: "unrelated_private_key.pem")
        defer { try? FileManager.default.removeItem(at: derived) }
        let tooTrusting = try SignatureProperty(extraKeys: [derived])
        #expect(throws: PropertyViolation.self) { try tooTrusting.check(forged) }
        #expect(throws: Never.self) { try SignatureProperty().check(forged) }
        #expect(throws: Never.self) { try tooTrusting.check(genuine.bytes) }
    }

    @Test func theHTTPPropertyCatchesARequestThatBreaksTheParserLimits() {
        let property = HTTPParserProperty()
        let request = HTTPParserProperty.Transcript.Request(
            method: "POST", target: "/notify", version: "HTTP/1.1", headers: [],
            body: Array(repeating: 0x61, count: property.limits.maximumBodyBytes + 1), keepAlive: true)
        #expect(throws: PropertyViolation.self) {
            try property.checkLimits(HTTPParserProperty.Transcript(requests: [request]))
        }
    }

    @Test func theConfigPropertyCatchesAnErrorThatNamesNoLine() {
        let error = ConfigurationError(source: .file(path: ConfigProperty.path, line: 3), key: nil, problem: "x")
        #expect(throws: PropertyViolation.self) { try ConfigProperty().checkNamesALine(error, lineCount: 2) }
        #expect(throws: Never.self) { try ConfigProperty().checkNamesALine(error, lineCount: 3) }
    }

    /// Writes the public half of a fixture private key to a temporary file.
    func publicKeyFile(of privateKey: String) throws -> URL {
        let source = FuzzCorpus.packageRoot.appendingPathComponent("Tests/Fixtures/keys/\(privateKey)")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("notifyd-fuzz-\(getpid())-\(UUID().uuidString)-\(privateKey)")
        let result = try ChildProcess.run("/usr/bin/openssl", ["pkey", "-in", source.path, "-pubout", "-out", output.path])
        guard result.status == 0 else { throw TestError("openssl pkey: \(result.stderr)") }
        return output
    }
}

/// The gateway answer property is able to fail.
@Suite struct GatewayAnswerPropertyTests {
    @Test func itCatchesAClassificationThatTrustsAKeyAlipayNeverUsed() throws {
        let fixtures = FuzzCorpus.packageRoot.appendingPathComponent("Tests/Fixtures")
        let attacker = try RSAPrivateKey(bytes: Array(Data(contentsOf: fixtures.appendingPathComponent("keys/unrelated_private_key.pem"))))
        let node = #"{"code":"10000","msg":"Success","out_trade_no":"6823789339978248","total_amount":"0.01","trade_status":"TRADE_SUCCESS"}"#
        let signature = Base64.encode(try attacker.sign(Array(node.utf8)))
        let forged = Array(#"{"alipay_trade_query_response":\#(node),"sign":"\#(signature)"}"#.utf8)

        let derived = try FuzzPropertyTests().publicKeyFile(of: "unrelated_private_key.pem")
        defer { try? FileManager.default.removeItem(at: derived) }
        let tooTrusting = try GatewayAnswerProperty(extraKeys: [derived])
        #expect(throws: PropertyViolation.self) { try tooTrusting.check(forged) }
        #expect(throws: Never.self) { try GatewayAnswerProperty().check(forged) }
    }

    @Test func itCatchesAVerdictThatDependsOnTheLayout() throws {
        let genuine = try #require(FuzzCorpus.inputs(.gatewayAnswer).first { $0.name == "seed-query_paid_sign_after_node" })
        let property = try GatewayAnswerProperty()
        let scanned = try AnswerScanner.scan(genuine.bytes, method: .tradeQuery)
        #expect(throws: PropertyViolation.self) {
            try property.checkLayoutDoesNotMatter(genuine.bytes, method: .tradeQuery, verdict: "unknown.bad_signature")
        }
        #expect(GatewayAnswerProperty.layouts(of: scanned, node: Array(genuine.bytes[scanned.node])).count == 2)
    }
}
