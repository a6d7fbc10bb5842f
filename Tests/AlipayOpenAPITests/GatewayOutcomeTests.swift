import AlipayCrypto
import AlipayNotify
@testable import AlipayOpenAPI
import Testing
import TestSupport

/// Every kind of answer the gateway gives, signed by an independent implementation,
/// classifies as the table says; unknown answers never yield a fact.
@Suite struct GatewayOutcomeTests {
    @Test(arguments: GatewayAnswerCase.all)
    func everyAnswerCaseClassifiesAsExpected(_ answer: GatewayAnswerCase) {
        let outcome = answer.classify()
        #expect(outcome.code == answer.expect, "\(answer.name): \(outcome)")
    }

    @Test func theCasesCoverEveryOutcome() {
        let codes = Set(GatewayAnswerCase.all.map(\.expect))
        for kind in GatewayRefusal.Kind.allCases { #expect(codes.contains("refusal.\(kind.rawValue)")) }
        for reason in ["unsigned", "bad_signature", "node_repeated", "http_status", "malformed", "busy", "sign_not_base64"] {
            #expect(codes.contains("unknown.\(reason)"))
        }
    }

    @Test func aVerifiedSuccessCarriesTheSignedFields() throws {
        let outcome = GatewayAnswerCase.named("query_paid_sign_before_node").classify()
        guard case .success(let success) = outcome else { Issue.record("\(outcome)"); return }
        #expect(success.fields.string("total_amount") == "88.88")
        #expect(success.fields.string("trade_status") == "TRADE_SUCCESS")
        #expect(success.method == .tradeQuery)
        #expect(success.keyIndex == 0)
    }

    @Test func anAnswerSignedWithTheRotatedKeyVerifiesWithTheSecondKey() throws {
        let outcome = GatewayAnswerCase.named("query_paid_signed_by_next_key").classify()
        guard case .success(let success) = outcome else { Issue.record("\(outcome)"); return }
        #expect(success.keyIndex == 1)
        // And not at all when only the current key is trusted.
        let onlyCurrent = GatewayAnswerCase.named("query_paid_signed_by_next_key").classify(keys: [GatewayAnswerCase.keys[0]])
        #expect(onlyCurrent.code == "unknown.bad_signature")
    }

    @Test func escapedSlashesVerifyThroughTheUnescapedTextAndReadAsSlashes() throws {
        let answer = GatewayAnswerCase.named("escaped_slashes_signed_unescaped")
        guard case .success(let success) = answer.classify() else { Issue.record("not a success"); return }
        #expect(success.fields.string("store_name") == "https://shop.example/a")
        #expect(success.signedContent == GatewayAnswerCase.bytes(hex: try #require(answer.signed)))
        #expect(!success.signedContent.contains(UInt8(ascii: "\\")))
    }

    @Test func unicodeEscapesAndSurrogatePairsAreDecodedAfterVerifying() throws {
        guard case .success(let success) = GatewayAnswerCase.named("unicode_escapes").classify() else {
            Issue.record("not a success"); return
        }
        #expect(success.fields.string("buyer_user_name") == "张三")
        #expect(success.fields.string("subject") == "😀 \"gift\"")
    }

    @Test func bracesAndQuotesInsideValuesDoNotEndTheNode() throws {
        let answer = GatewayAnswerCase.named("braces_and_quotes_inside_values")
        guard case .success(let success) = answer.classify() else { Issue.record("not a success"); return }
        #expect(success.fields.string("body") == "a}b{c\"d\\")
        #expect(success.fields.string("subject") == "}}{{\\\"")
        #expect(success.fields["fund_bill_list"] == .nested(#"[{"amount":"88.88","fund_channel":"ALIPAYACCOUNT"}]"#))
        #expect(success.fields["extra"] == .nested(#"{"k":"v}"}"#))
        #expect(success.signedContent == GatewayAnswerCase.bytes(hex: try #require(answer.signed)))
    }

    @Test func aSubMessageInGBKLeavesTheVerifiedRefusalReadable() throws {
        let outcome = GatewayAnswerCase.named("close_refused_sub_msg_in_gbk").classify()
        guard case .refusal(let refusal) = outcome else { Issue.record("\(outcome)"); return }
        #expect(refusal.kind == .businessRefusal)
        #expect(refusal.code == "40004")
        #expect(refusal.subCode == "ACQ.TRADE_STATUS_ERROR")
        #expect(refusal.subMsg == "交易状态不合法")
        #expect(refusal.method == .tradeClose)
    }

    @Test func tradeNotExistIsAVerifiedRefusalNamedNoSuchTrade() {
        let outcome = GatewayAnswerCase.named("trade_not_exist_40004").classify()
        guard case .refusal(let refusal) = outcome else { Issue.record("\(outcome)"); return }
        #expect(refusal.kind == .noSuchTrade)
        #expect(refusal.subMsg == "交易不存在")
    }

    @Test func anUnsignedErrorResponseIsUnknownButSaysWhatItClaims() {
        let outcome = GatewayAnswerCase.named("error_response_empty_sign").classify()
        guard case .unknown(.unsigned(let claim)) = outcome else { Issue.record("\(outcome)"); return }
        #expect(claim == "code 40002 isv.invalid-app-id (无效的AppID参数)")
        #expect(outcome.description.contains("not a fact"))
    }

    @Test func theSameSignedErrorResponseIsAConfigurationError() {
        let outcome = GatewayAnswerCase.named("error_response_signed_invalid_app_id").classify()
        guard case .refusal(let refusal) = outcome else { Issue.record("\(outcome)"); return }
        #expect(refusal.kind == .configurationError)
        #expect(refusal.isErrorNode)
        #expect(refusal.subCode == "isv.invalid-app-id")
    }

    @Test func aNodeTwiceIsRefusedWhicheverCopyWasSigned() {
        for name in ["node_twice_signed_first", "node_twice_signed_last", "node_twice_second_key_escaped", "node_beside_error_response"] {
            let outcome = GatewayAnswerCase.named(name).classify()
            guard case .unknown(.nodeRepeated) = outcome else { Issue.record("\(name): \(outcome)"); continue }
        }
    }

    @Test func aStatusOtherThan200IsUnknownEvenWithASignedBody() {
        let outcome = GatewayAnswerCase.named("http_502_with_a_signed_body").classify()
        guard case .unknown(.httpStatus(502)) = outcome else { Issue.record("\(outcome)"); return }
    }

    @Test func busyAnswersAreUnknownNotRefusals() {
        for name in ["service_unavailable_20000", "system_error_acq", "aop_unknown_error"] {
            let outcome = GatewayAnswerCase.named(name).classify()
            guard case .unknown(.busy) = outcome else { Issue.record("\(name): \(outcome)"); continue }
        }
    }

    @Test func aForgedNodeIsUnknownAndNamesTheKeys() {
        let outcome = GatewayAnswerCase.named("forged_amount").classify()
        guard case .unknown(.signatureMismatch(let keyCount, let claim)) = outcome else { Issue.record("\(outcome)"); return }
        #expect(keyCount == 2)
        #expect(claim == "code 10000 (Success)")
    }

    @Test func aTransportFailureIsAnUnknownOutcome() {
        let outcome = GatewayOutcome.unknown(.transport("timed out after 15 s"))
        #expect(outcome.code == "unknown.transport")
        #expect(outcome.description.contains("timed out after 15 s"))
    }

    @Test func aVerifiedNodeWithoutCodeIsUnknown() throws {
        let body = try SignedAnswer.body(node: #"{"msg":"Success"}"#)
        let outcome = GatewayOutcome.classify(httpStatus: 200, body: body, method: .tradeQuery, keys: GatewayAnswerCase.keys)
        guard case .unknown(.unreadableNode) = outcome else { Issue.record("\(outcome)"); return }
    }

    @Test func aVerifiedNodeWithAMemberTwiceIsUnknown() throws {
        let body = try SignedAnswer.body(node: #"{"code":"10000","total_amount":"88.88","total_amount":"0.01"}"#)
        let outcome = GatewayOutcome.classify(httpStatus: 200, body: body, method: .tradeQuery, keys: GatewayAnswerCase.keys)
        guard case .unknown(.unreadableNode(let detail)) = outcome else { Issue.record("\(outcome)"); return }
        #expect(detail.contains("total_amount"))
    }

    @Test func aSuccessCodeInsideErrorResponseIsNotASuccess() throws {
        let body = try SignedAnswer.body(node: #"{"code":"10000","msg":"Success"}"#, nodeName: "error_response")
        let outcome = GatewayOutcome.classify(httpStatus: 200, body: body, method: .tradeQuery, keys: GatewayAnswerCase.keys)
        guard case .unknown(.unrecognizedCode) = outcome else { Issue.record("\(outcome)"); return }
    }
}

/// Signs a node with the fixture Alipay key, for cases the generated file
/// does not hold.
enum SignedAnswer {
    static func body(node: String, nodeName: String = "alipay_trade_query_response") throws -> [UInt8] {
        let key = try RSAPrivateKey(bytes: Fixtures.bytes(Fixtures.currentPrivateKey))
        let signature = try key.sign(Array(node.utf8))
        return Array(#"{"\#(nodeName)":\#(node),"sign":"\#(Base64.encode(signature))"}"#.utf8)
    }
}

/// Failures on Alipay's side are unknown whatever code they come with.
@Suite struct BusyAnswerTests {
    @Test(arguments: [("40004", "aop.SYSTEM_ERROR"), ("40004", "isp.rpc-timeout"), ("20000", nil), ("40004", "ACQ.SYSTEM_ERROR")])
    func aFailureOnAlipaysSideIsNeverARefusal(_ code: String, _ subCode: String?) throws {
        let subCodeMember = subCode.map { #","sub_code":"\#($0)""# } ?? ""
        let body = try SignedAnswer.body(node: #"{"code":"\#(code)","msg":"Business Failed"\#(subCodeMember)}"#)
        let outcome = GatewayOutcome.classify(httpStatus: 200, body: body, method: .tradeRefund, keys: GatewayAnswerCase.keys)
        #expect(outcome.code == "unknown.malformed")  // a query's node does not answer a refund
        let queried = GatewayOutcome.classify(httpStatus: 200, body: body, method: .tradeQuery, keys: GatewayAnswerCase.keys)
        #expect(queried.code == "unknown.busy", "\(queried)")
    }
}
