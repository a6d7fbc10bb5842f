@testable import AlipayOpenAPI
import Testing

/// The scanner finds the node's exact bytes and the top-level sign,
/// whatever the layout, and refuses every ambiguous or broken body.
@Suite struct AnswerScannerTests {
    static let node = #"{"code":"10000","msg":"a}\"{\\","url":"http:\/\/x","n":-1.5e3,"ok":true,"z":null,"list":[{"a":"]"}],"u":"\u4e2d"}"#

    func scan(_ text: String, method: GatewayMethod = .tradeQuery) throws(MalformedAnswer) -> (ScannedAnswer, [UInt8]) {
        let body = Array(text.utf8)
        return (try AnswerScanner.scan(body, method: method), body)
    }

    @Test func theNodeRangeEndsAtItsOwnClosingBrace() throws {
        let (scanned, body) = try scan(#"{"alipay_trade_query_response":\#(Self.node),"sign":"c2ln"}"#)
        #expect(String(decoding: body[scanned.node], as: UTF8.self) == Self.node)
        #expect(scanned.sign == Array("c2ln".utf8))
        #expect(scanned.nodeName == "alipay_trade_query_response")
    }

    @Test func signAndCertSNAreFoundBeforeTheNodeToo() throws {
        let (scanned, body) = try scan(#" {"sign" : "c2ln", "alipay_cert_sn":"abc" ,"alipay_trade_query_response" :  \#(Self.node) }"#)
        #expect(String(decoding: body[scanned.node], as: UTF8.self) == Self.node)
        #expect(scanned.sign.map { String(decoding: $0, as: UTF8.self) } == "c2ln")
        #expect(scanned.alipayCertSN == "abc")
    }

    @Test func escapesInTheSignValueAreDecoded() throws {
        let (scanned, _) = try scan(#"{"alipay_trade_query_response":{},"sign":"ab\/c\u003d"}"#)
        #expect(scanned.sign.map { String(decoding: $0, as: UTF8.self) } == "ab/c=")
    }

    @Test func eachMethodFindsItsOwnNode() throws {
        let (scanned, _) = try scan(#"{"alipay_trade_fastpay_refund_query_response":{"code":"10000"},"sign":""}"#, method: .refundQuery)
        #expect(scanned.nodeName == GatewayMethod.refundQuery.responseNodeName)
        #expect(throws: MalformedAnswer.nodeMissing("alipay_trade_query_response")) {
            try scan(#"{"alipay_trade_fastpay_refund_query_response":{"code":"10000"}}"#)
        }
    }

    @Test func refusesTheNodeTwice() {
        #expect(throws: MalformedAnswer.nodeRepeated("alipay_trade_query_response")) {
            try scan(#"{"alipay_trade_query_response":{},"alipay_trade_query_response":{},"sign":"x"}"#)
        }
    }

    @Test func refusesAnyOtherTopLevelKeyTwice() {
        #expect(throws: MalformedAnswer.keyRepeated("sign")) {
            try scan(#"{"sign":"a","alipay_trade_query_response":{},"sign":"b"}"#)
        }
    }

    @Test(arguments: [
        #"[{"alipay_trade_query_response":{}}]"#,
        #"{"alipay_trade_query_response":{}} x"#,
        #"{"alipay_trade_query_response":{}}{}"#,
        #"{"alipay_trade_query_response":{"a":"b}}"#,
        #"{"alipay_trade_query_response":{"a":"\x"}}"#,
        #"{"alipay_trade_query_response":{"a":01}}"#,
        #"{"alipay_trade_query_response":{"a":tru}}"#,
        #"{"alipay_trade_query_response":{"a":"b",}}"#,
        #"{"alipay_trade_query_response":"{}"}"#,
        "{\"alipay_trade_query_response\":{\"a\":\"line\nbreak\"}}",
        "",
        "   ",
    ])
    func refusesBodiesThatAreNotOneJSONObject(_ text: String) {
        #expect(throws: MalformedAnswer.self) { try scan(text) }
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: MalformedAnswer.tooDeep(limit: JSONBytes.maximumDepth)) {
            try scan(#"{"alipay_trade_query_response":{"a":\#(deep)}}"#)
        }
    }

    @Test func bytesAbove0x7FPassUntouchedIntoTheNode() throws {
        var body = Array(#"{"alipay_trade_query_response":{"sub_msg":""#.utf8)
        body += [0xBD, 0xBB, 0xD2, 0xD7]  // 交易 in GBK: not UTF-8
        body += Array(#""},"sign":"x"}"#.utf8)
        let scanned = try AnswerScanner.scan(body, method: .tradeQuery)
        #expect(body[scanned.node].contains(0xBD))
        let fields = try ResponseNodeFields(body, node: scanned.node)
        #expect(fields.string("sub_msg") == "交易")
    }

    @Test func unescapingSlashesRewritesOnlyRealEscapesInsideStrings() {
        func unescaped(_ text: String) -> String? {
            ResponseNodeSignature.unescapingSlashes(Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(unescaped(#"{"a":"x\/y"}"#) == #"{"a":"x/y"}"#)
        #expect(unescaped(#"{"a":"x\\/y"}"#) == nil)
        #expect(unescaped(#"{"a":"\\\/"}"#) == #"{"a":"\\/"}"#)
        #expect(unescaped(#"{"a\"\/":"b"}"#) == #"{"a\"/":"b"}"#)
    }
}
