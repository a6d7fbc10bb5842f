import AlipayCrypto
import AlipayNotify
@testable import AlipaySandbox
import Foundation
import Testing
import TestSupport

/// The sandbox answers as Alipay does: requests checked, answers signed over
/// the node as sent, business rules of each method, and faults on demand.
@Suite struct SandboxGatewayTests {
    static let appID = "2021000123456789"
    static let now: Int64 = 1_717_381_811   // 2024-06-03 10:30:11 in China
    let alipayKey: RSAPrivateKey
    let alipayPublicKey: RSAPublicKey
    let appKey: RSAPrivateKey
    let book = SandboxTradeBook()
    let gateway: SandboxGateway

    init() throws {
        alipayKey = try RSAPrivateKey(bytes: Fixtures.bytes(Fixtures.currentPrivateKey))
        alipayPublicKey = try RSAPublicKey(bytes: Fixtures.bytes(Fixtures.currentPublicKeyPEM))
        appKey = try RSAPrivateKey(bytes: Fixtures.bytes(Fixtures.nextPrivateKey))
        let configuration = SandboxConfiguration(alipayPrivateKey: alipayKey, appPublicKey: try appKey.publicKey(), appID: Self.appID)
        gateway = SandboxGateway(configuration: configuration, book: book, now: { Self.now })
    }

    /// A request signed the way a merchant signs it: every parameter but sign.
    func request(_ method: String, _ biz: String, appID: String = appID, timestamp: Int64 = now, key: RSAPrivateKey? = nil) throws -> [UInt8] {
        let pairs = [("app_id", appID), ("method", method), ("format", "JSON"), ("charset", "utf-8"), ("sign_type", "RSA2"),
                     ("timestamp", ChinaTime.format(secondsSince1970: timestamp)), ("version", "1.0"), ("biz_content", biz)]
        var body: [UInt8] = []
        for (name, value) in pairs {
            if !body.isEmpty { body.append(UInt8(ascii: "&")) }
            FormEncoding.encode(Array(name.utf8), into: &body)
            body.append(UInt8(ascii: "="))
            FormEncoding.encode(Array(value.utf8), into: &body)
        }
        let signature = try (key ?? appKey).sign(try FormFields(body: body).requestSignedContent)
        body += Array("&sign=".utf8)
        FormEncoding.encode(Array(Base64.encode(signature).utf8), into: &body)
        return body
    }

    /// The answer's node text and signature, for a body of the sandbox's shape.
    func split(_ body: [UInt8], node: String) throws -> (node: [UInt8], sign: String?) {
        let prefix = Array("{\"\(node)\":".utf8)
        #expect(Array(body.prefix(prefix.count)) == prefix, "\(String(decoding: body, as: UTF8.self))")
        let rest = Array(body.dropFirst(prefix.count))
        let text = String(decoding: rest, as: UTF8.self)
        if let range = text.range(of: ",\"sign\":\"", options: .backwards) {
            let node = Array(text[..<range.lowerBound].utf8)
            let sign = String(text[range.upperBound...].dropLast(2))
            return (node, sign)
        }
        return (Array(rest.dropLast()), nil)
    }

    func verifies(_ node: [UInt8], _ sign: String?) -> Bool {
        guard let sign, let signature = Base64.decode(Array(sign.utf8)) else { return false }
        return RSAVerifier.isValid(signature: signature, of: node, key: alipayPublicKey, algorithm: .rsa2)
    }

    func ask(_ method: String, _ biz: String) throws -> (text: String, verified: Bool) {
        let answer = gateway.answer(body: try request(method, biz))
        let parts = try split(answer.body, node: method.replacing(".", with: "_") + "_response")
        return (String(decoding: parts.node, as: UTF8.self), verifies(parts.node, parts.sign))
    }

    @Test func aQueryForATradeAlipayDoesNotHaveIsASignedTradeNotExist() throws {
        let answer = try ask("alipay.trade.query", #"{"out_trade_no":"NOPE"}"#)
        #expect(answer.verified)
        #expect(answer.text.contains(#""code":"40004""#) && answer.text.contains(#""sub_code":"ACQ.TRADE_NOT_EXIST""#))
    }

    @Test func aPaidTradeIsAnsweredWithItsStatusAmountAndPaymentTime() throws {
        book.create("O1", totalAmount: Fen(8888))
        book.update("O1") { $0.status = .tradeSuccess; $0.paidAt = "2024-06-03 10:31:00" }
        let answer = try ask("alipay.trade.query", #"{"out_trade_no":"O1"}"#)
        #expect(answer.verified)
        for part in [#""code":"10000""#, #""trade_status":"TRADE_SUCCESS""#, #""total_amount":"88.88""#, #""send_pay_date":"2024-06-03 10:31:00""#] {
            #expect(answer.text.contains(part), "\(answer.text)")
        }
    }

    @Test func aRequestSignedWithAnotherKeyIsAnUnsignedGatewayError() throws {
        let other = try RSAPrivateKey(bytes: Fixtures.bytes(Fixtures.unrelatedPrivateKey))
        let answer = gateway.answer(body: try request("alipay.trade.query", #"{"out_trade_no":"O1"}"#, key: other))
        let parts = try split(answer.body, node: "alipay_trade_query_response")
        #expect(parts.sign == nil)
        #expect(String(decoding: parts.node, as: UTF8.self).contains("isv.invalid-signature"))
        #expect(book.calls().last?.subCode == "isv.invalid-signature")
    }

    @Test func anotherAppIDOrAStaleTimestampIsRefusedBeforeAnything() throws {
        book.create("O1", totalAmount: Fen(100))
        let wrongApp = gateway.answer(body: try request("alipay.trade.close", #"{"out_trade_no":"O1"}"#, appID: "2021999"))
        #expect(String(decoding: wrongApp.body, as: UTF8.self).contains("isv.invalid-app-id"))
        let stale = gateway.answer(body: try request("alipay.trade.close", #"{"out_trade_no":"O1"}"#, timestamp: Self.now - 3600))
        #expect(String(decoding: stale.body, as: UTF8.self).contains("isv.invalid-timestamp"))
        #expect(book.trade("O1")?.status == .waitBuyerPay)
    }

    @Test func closeEndsAnUnpaidTradeAndRefusesAPaidOne() throws {
        book.create("O1", totalAmount: Fen(100))
        #expect(try ask("alipay.trade.close", #"{"out_trade_no":"O1"}"#).text.contains(#""code":"10000""#))
        #expect(book.trade("O1")?.status == .tradeClosed)
        book.create("O2", totalAmount: Fen(100))
        book.update("O2") { $0.status = .tradeSuccess; $0.paidAt = "2024-06-03 10:31:00" }
        #expect(try ask("alipay.trade.close", #"{"out_trade_no":"O2"}"#).text.contains("ACQ.TRADE_STATUS_ERROR"))
        #expect(try ask("alipay.trade.close", #"{"out_trade_no":"O3"}"#).text.contains("ACQ.TRADE_NOT_EXIST"))
    }

    @Test func aRefundRetriedWithItsRequestNumberMovesNoMoneyAgain() throws {
        book.create("O1", totalAmount: Fen(10000))
        book.update("O1") { $0.status = .tradeSuccess; $0.paidAt = "2024-06-03 10:31:00" }
        let refund = #"{"out_trade_no":"O1","refund_amount":"30.00","out_request_no":"R1"}"#
        let first = try ask("alipay.trade.refund", refund)
        #expect(first.verified && first.text.contains(#""fund_change":"Y""#) && first.text.contains(#""refund_fee":"30.00""#))
        let again = try ask("alipay.trade.refund", refund)
        #expect(again.text.contains(#""fund_change":"N""#) && again.text.contains(#""refund_fee":"30.00""#))
        #expect(try ask("alipay.trade.refund", #"{"out_trade_no":"O1","refund_amount":"31.00","out_request_no":"R1"}"#).text
                .contains("ACQ.DISCORDANT_REPEAT_REQUEST"))
        #expect(try ask("alipay.trade.fastpay.refund.query", #"{"out_trade_no":"O1","out_request_no":"R1"}"#).text
                .contains(#""refund_status":"REFUND_SUCCESS""#))
        #expect(!(try ask("alipay.trade.fastpay.refund.query", #"{"out_trade_no":"O1","out_request_no":"R9"}"#).text.contains("refund_status")))
        #expect(try ask("alipay.trade.refund", #"{"out_trade_no":"O1","refund_amount":"70.01","out_request_no":"R2"}"#).text
                .contains("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"))
        _ = try ask("alipay.trade.refund", #"{"out_trade_no":"O1","refund_amount":70,"out_request_no":"R2"}"#)
        #expect(book.trade("O1")?.status == .tradeClosed)
        #expect(book.trade("O1")?.refundedTotal == Fen(10000))
    }

    @Test func faultsSpoilTheAnswerForTheirTradeAndMethodAsManyTimesAsAsked() throws {
        book.create("O1", totalAmount: Fen(100))
        book.arm(ArmedFault(fault: .busy, outTradeNo: "O1", method: "alipay.trade.query", remaining: 2, delaySeconds: 0))
        for _ in 0..<2 { #expect(try ask("alipay.trade.query", #"{"out_trade_no":"O1"}"#).text.contains(#""code":"20000""#)) }
        #expect(try ask("alipay.trade.query", #"{"out_trade_no":"O1"}"#).text.contains(#""code":"10000""#))

        book.arm(ArmedFault(fault: .unsigned, outTradeNo: "O1", method: "alipay.trade.query", remaining: 1, delaySeconds: 0))
        #expect(try split(gateway.answer(body: try request("alipay.trade.query", #"{"out_trade_no":"O1"}"#)).body,
                          node: "alipay_trade_query_response").sign == nil)
        book.arm(ArmedFault(fault: .forged, outTradeNo: "O1", method: "alipay.trade.query", remaining: 1, delaySeconds: 0))
        #expect(!(try ask("alipay.trade.query", #"{"out_trade_no":"O1"}"#).verified))
        book.arm(ArmedFault(fault: .slow, outTradeNo: "O1", method: "alipay.trade.query", remaining: 1, delaySeconds: 7))
        #expect(gateway.answer(body: try request("alipay.trade.query", #"{"out_trade_no":"O1"}"#)).delaySeconds == 7)
        #expect(book.calls(outTradeNo: "O1").compactMap(\.fault) == ["busy", "busy", "unsigned", "forged", "slow"])
    }

    @Test func aFaultArmedForAnyTradeSpoilsTheNextCallsOfItsMethodWhateverTheTrade() throws {
        book.create("O1", totalAmount: Fen(100))
        book.create("O2", totalAmount: Fen(100))
        book.arm(ArmedFault(fault: .rateLimited, outTradeNo: ArmedFault.anyTrade, method: "alipay.trade.query", remaining: 2, delaySeconds: 0))
        #expect(try ask("alipay.trade.close", #"{"out_trade_no":"O1"}"#).text.contains(#""code":"10000""#), "another method")
        #expect(try ask("alipay.trade.query", #"{"out_trade_no":"O2"}"#).text.contains(#""code":"40005""#))
        #expect(try ask("alipay.trade.query", #"{"out_trade_no":"NOPE"}"#).text.contains(#""code":"40005""#))
        #expect(try ask("alipay.trade.query", #"{"out_trade_no":"O2"}"#).text.contains(#""code":"10000""#), "used up after two calls")
        #expect(book.calls().compactMap(\.fault) == ["rate-limited", "rate-limited"])
    }

    @Test func everyCallIsLoggedWithTheMomentItArrivedToTheMillisecond() throws {
        let before = Date().timeIntervalSince1970
        _ = try ask("alipay.trade.query", #"{"out_trade_no":"O1"}"#)
        usleep(20_000)
        _ = try ask("alipay.trade.query", #"{"out_trade_no":"O1"}"#)
        let after = Date().timeIntervalSince1970
        let times = book.calls().map(\.receivedAt)
        #expect(times.count == 2)
        #expect(times.allSatisfy { $0 >= before && $0 <= after })
        #expect(times[1] - times[0] >= 0.019, "\(times): apart by the 20 ms between them, not rounded to a second")
    }

    @Test func escapedSlashesAreSignedWithoutTheEscapesAndUnicodeEscapesAsSent() throws {
        book.create("O1", totalAmount: Fen(100))
        book.arm(ArmedFault(fault: .escapedSlashes, outTradeNo: "O1", method: "alipay.trade.query", remaining: 1, delaySeconds: 0))
        let escaped = try split(gateway.answer(body: try request("alipay.trade.query", #"{"out_trade_no":"O1"}"#)).body,
                                node: "alipay_trade_query_response")
        let text = String(decoding: escaped.node, as: UTF8.self)
        #expect(text.contains(#"沙箱\/测试门店"#))
        #expect(!verifies(escaped.node, escaped.sign))
        #expect(verifies(Array(text.replacing(#"\/"#, with: "/").utf8), escaped.sign))

        book.arm(ArmedFault(fault: .unicodeEscapes, outTradeNo: "O1", method: "alipay.trade.query", remaining: 1, delaySeconds: 0))
        let unicode = try ask("alipay.trade.query", #"{"out_trade_no":"O1"}"#)
        #expect(unicode.text.contains(#"\u6c99\u7bb1/"#))
        #expect(unicode.verified)
    }

    @Test func aDoubledNodeCarriesADecoyAfterTheSignedOne() throws {
        book.create("O1", totalAmount: Fen(100))
        book.arm(ArmedFault(fault: .doubled, outTradeNo: "O1", method: "alipay.trade.query", remaining: 1, delaySeconds: 0))
        let body = String(decoding: gateway.answer(body: try request("alipay.trade.query", #"{"out_trade_no":"O1"}"#)).body, as: UTF8.self)
        #expect(body.components(separatedBy: "\"alipay_trade_query_response\":").count == 3)
        #expect(body.contains("WAIT_BUYER_PAY") && body.contains("TRADE_SUCCESS"))
    }
}
