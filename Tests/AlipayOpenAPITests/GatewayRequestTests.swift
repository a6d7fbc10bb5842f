import AlipayCrypto
import AlipayNotify
import AlipayOpenAPI
import Foundation
import Testing
import TestSupport

/// Request bodies carry the common parameters Alipay expects and a signature
/// an independent implementation of the gateway's rule accepts.
@Suite struct GatewayRequestTests {
    /// 2026-11-20 02:15:42 UTC, which is 10:15:42 in China.
    static let time = GatewayTimestamp(secondsSince1970: 1_795_140_942)

    static func app(certificateMode: Bool = false) throws -> MerchantApp {
        // The fixture's "Alipay" key plays the merchant's app key here.
        MerchantApp(
            appID: "2021000000000001", privateKey: try RSAPrivateKey(bytes: Fixtures.bytes(Fixtures.currentPrivateKey)),
            appCertSN: certificateMode ? "50fa7bc5dbcc1b4f4b3ad4d2e8f2f1a3" : nil,
            alipayRootCertSN: certificateMode ? "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6" : nil)
    }

    struct IndependentVerdict: Decodable {
        let valid: Bool
        let content: String
        let parameters: [String: String]
    }

    func independentVerdict(_ body: [UInt8]) throws -> IndependentVerdict {
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Differential/verify_gateway_request.py").path
        let result = try ChildProcess.run("/usr/bin/python3", [script, Fixtures.path(Fixtures.currentPublicKeyPEM)], input: body)
        try #require(result.status == 0, "the independent verifier failed: \(result.stderr)")
        return try JSONDecoder().decode(IndependentVerdict.self, from: Data(result.stdout.utf8))
    }

    @Test func aRefundRequestIsSignedAsTheGatewayChecksIt() throws {
        let request = GatewayRequest.tradeRefund(
            outTradeNo: "6823789339978248", refundAmount: Fen(1050), outRequestNo: "6823789339978248-r1",
            refundReason: "退款 & \"quotes\" / 100%+")
        let body = try request.signedBody(app: Self.app(), timestamp: Self.time)
        let verdict = try independentVerdict(body)
        #expect(verdict.valid)
        let biz = #"{"out_trade_no":"6823789339978248","refund_amount":"10.50","out_request_no":"6823789339978248-r1","refund_reason":"退款 & \"quotes\" / 100%+"}"#
        #expect(verdict.content == "app_id=2021000000000001&biz_content=\(biz)&charset=utf-8&format=JSON"
            + "&method=alipay.trade.refund&sign_type=RSA2&timestamp=2026-11-20 10:15:42&version=1.0")
        #expect(verdict.parameters["biz_content"] == biz)
    }

    @Test func certificateModeAndNotifyURLAreSignedToo() throws {
        var content = BizContent()
        content.add("out_trade_no", "A1")
        let request = GatewayRequest(method: .tradeQuery, bizContent: content, notifyURL: "https://shop.example/alipay/notify?x=1")
        let body = try request.signedBody(app: Self.app(certificateMode: true), timestamp: Self.time)
        let verdict = try independentVerdict(body)
        #expect(verdict.valid)
        #expect(verdict.parameters["app_cert_sn"] == "50fa7bc5dbcc1b4f4b3ad4d2e8f2f1a3")
        #expect(verdict.parameters["alipay_root_cert_sn"] == "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6")
        #expect(verdict.parameters["notify_url"] == "https://shop.example/alipay/notify?x=1")
        #expect(verdict.content.contains("&sign_type=RSA2&"))
    }

    @Test func aTamperedBodyIsRefusedByTheIndependentVerifier() throws {
        let body = try GatewayRequest.tradeQuery(outTradeNo: "A1").signedBody(app: Self.app(), timestamp: Self.time)
        let tampered = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "A1", with: "A2").utf8)
        #expect(try independentVerdict(body).valid)
        #expect(try !independentVerdict(tampered).valid)
    }

    @Test func theCommonParametersAreThoseAlipayExpects() throws {
        let parameters = GatewayRequest.tradeQuery(outTradeNo: "A1").unsignedParameters(app: try Self.app(), timestamp: Self.time)
        #expect(parameters.map(\.key) == ["app_id", "method", "format", "charset", "sign_type", "timestamp", "version", "biz_content"])
        #expect(parameters.map(\.value) == ["2021000000000001", "alipay.trade.query", "JSON", "utf-8", "RSA2",
                                            "2026-11-20 10:15:42", "1.0", #"{"out_trade_no":"A1"}"#])
    }

    @Test func eachCallHasItsBusinessParameters() {
        #expect(GatewayRequest.tradeClose(outTradeNo: "A1").bizContent.json == #"{"out_trade_no":"A1"}"#)
        #expect(GatewayRequest.tradeClose(outTradeNo: "A1").method == .tradeClose)
        #expect(GatewayRequest.tradeCancel(outTradeNo: "A1").method == .tradeCancel)
        #expect(GatewayRequest.refundQuery(outTradeNo: "A1", outRequestNo: "R1").bizContent.json
            == #"{"out_trade_no":"A1","out_request_no":"R1"}"#)
        #expect(GatewayRequest.tradeRefund(outTradeNo: "A1", refundAmount: Fen(5), outRequestNo: "R1").bizContent.json
            == #"{"out_trade_no":"A1","refund_amount":"0.05","out_request_no":"R1"}"#)
    }

    @Test func amountsAreWrittenFromFenNeverThroughFloatingPoint() {
        var content = BizContent()
        content.add("refund_amount", amount: Fen(decimal: "0.07")!)
        content.add("total", amount: Fen(999_999_999_999_99))
        #expect(content.json == #"{"refund_amount":"0.07","total":"999999999999.99"}"#)
    }

    @Test func responseNodeNamesFollowTheMethod() {
        #expect(GatewayMethod.tradeQuery.responseNodeName == "alipay_trade_query_response")
        #expect(GatewayMethod.refundQuery.responseNodeName == "alipay_trade_fastpay_refund_query_response")
        #expect(GatewayMethod.tradeRefund.responseNodeName == "alipay_trade_refund_response")
    }
}
