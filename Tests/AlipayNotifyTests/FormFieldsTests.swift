import AlipayNotify
import Testing

@Suite struct FormFieldsTests {
    func fields(_ body: String) throws -> FormFields {
        try FormFields(body: Array(body.utf8))
    }

    @Test func decodesPlusAndPercentEscapesExactlyOnce() throws {
        let form = try fields("a=x%253Dy&b=a+b%26c&c=%e6%b5%8b&d=%41%42")
        #expect(form.string("a") == "x%3Dy")
        #expect(form.string("b") == "a b&c")
        #expect(form.string("c") == "测")
        #expect(form.string("d") == "AB")
    }

    @Test func keepsAPercentThatStartsNoEscapeAsItIs() throws {
        let form = try fields("a=100%&b=%G1&c=%4")
        #expect(form.string("a") == "100%")
        #expect(form.string("b") == "%G1")
        #expect(form.string("c") == "%4")
    }

    @Test func splitsAtTheFirstEqualsSignOnly() throws {
        let form = try fields("passback=k=v=w&empty=&bare")
        #expect(form.string("passback") == "k=v=w")
        #expect(form.string("empty") == "")
        #expect(form.string("bare") == "")
        #expect(form.nonEmptyString("empty") == nil)
    }

    @Test func neverTrimsValues() throws {
        let form = try fields("a=+x+&b=%20")
        #expect(form.string("a") == " x ")
        #expect(form.string("b") == " ")
    }

    @Test func rejectsADuplicatedParameterEvenWithTheSameValue() {
        #expect(throws: FormDecodingError.duplicateParameter("a")) { try fields("a=1&b=2&a=1") }
    }

    @Test func rejectsDuplicatesThatOnlyMatchAfterDecoding() {
        #expect(throws: FormDecodingError.duplicateParameter("out_trade_no")) {
            try fields("out_trade_no=1&out%5Ftrade%5Fno=2")
        }
    }

    @Test func rejectsAnEmptyParameterName() {
        #expect(throws: FormDecodingError.emptyParameterName) { try fields("=x&a=1") }
    }

    @Test func rejectsInvalidUTF8WhenTheBodyDeclaresUTF8() {
        #expect(throws: FormDecodingError.notValidText(parameter: "subject", charset: .utf8)) {
            try fields("charset=utf-8&subject=%B2%E2")
        }
    }

    @Test func rejectsAnUnknownCharset() {
        #expect(throws: FormDecodingError.unsupportedCharset("latin1")) { try fields("charset=latin1&a=1") }
    }

    @Test func readsGBKBodiesAsGBK() throws {
        // "测试" in GBK is B2 E2 CA D4.
        let form = try fields("charset=GBK&subject=%B2%E2%CA%D4")
        #expect(form.charset == .gbk)
        #expect(form.string("subject") == "测试")
        #expect(form.signedContent == Array("charset=GBK&subject=".utf8) + [0xB2, 0xE2, 0xCA, 0xD4])
        #expect(form.signedContentText == "charset=GBK&subject=测试")
    }

    @Test func aGatewayRequestSignsSignTypeButANotificationDoesNot() throws {
        let form = try fields("method=alipay.trade.query&sign_type=RSA2&sign=abc&app_id=2021&empty=&biz_content=%7B%22a%22%3A1%7D")
        #expect(String(decoding: form.requestSignedContent, as: UTF8.self)
                == "app_id=2021&biz_content={\"a\":1}&method=alipay.trade.query&sign_type=RSA2")
        #expect(String(decoding: form.signedContent, as: UTF8.self) == "app_id=2021&biz_content={\"a\":1}&method=alipay.trade.query")
    }

    @Test func rejectsBytesThatAreNotGBK() {
        #expect(throws: FormDecodingError.notValidText(parameter: "subject", charset: .gbk)) {
            try fields("charset=gbk&subject=%FF%FF")
        }
    }

    @Test func canonicalStringSkipsSignSignTypeAndEmptyValuesAndSortsByKeyBytes() throws {
        let form = try fields("notify_id=1&subject=a+b%26c&body=&sign_type=RSA2&charset=utf-8&sign=MEU%2B%3D%3D&passback_params=x%253Dy")
        #expect(form.signedContentText == "charset=utf-8&notify_id=1&passback_params=x%3Dy&subject=a b&c")
    }

    @Test func sortsUppercaseBeforeUnderscoreBeforeLowercaseAndPrefixesFirst() throws {
        let form = try fields("b=1&a-b=2&a=3&_x=4&Z=5")
        #expect(form.signedContentText == "Z=5&_x=4&a=3&a-b=2&b=1")
    }

    @Test func keepsASingleSpaceValueInTheSignedString() throws {
        #expect(try fields("a=+&b=1").signedContentText == "a= &b=1")
    }

    @Test func limitsTheNumberOfParameters() {
        let body = (0...FormFields.maximumParameterCount).map { "k\($0)=v" }.joined(separator: "&")
        #expect(throws: FormDecodingError.tooManyParameters(FormFields.maximumParameterCount)) { try fields(body) }
    }

    @Test func anEmptyBodyHasNoParameters() throws {
        #expect(try fields("").count == 0)
        #expect(try fields("&&").count == 0)
    }
}
