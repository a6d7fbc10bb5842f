import AlipayNotify
import Testing
import TestSupport

/// Every valid fixture reproduces the exact canonical string the official
/// SDKs agree on; every fixture that must fail on form grounds fails here.
@Suite struct CanonicalFixtureTests {
    @Test(arguments: Fixtures.notifications.filter(\.isValid))
    func validFixtureReproducesTheCanonicalString(_ fixture: Fixtures.NotificationCase) throws {
        let form = try FormFields(body: Array(fixture.body.utf8))
        #expect(form.signedContentText == fixture.canonical)
        #expect(form.charset.rawValue.lowercased() == fixture.charset.lowercased())
        let expectedBytes = fixture.charset.lowercased() == "gbk"
            ? try #require(Charset.gbk.encode(utf8: Array(fixture.canonical!.utf8)))
            : Array(fixture.canonical!.utf8)
        #expect(form.signedContent == expectedBytes)
    }

    @Test(arguments: ["duplicate_out_trade_no_signed_first", "duplicate_out_trade_no_signed_last",
                      "charset_lied_utf8_claimed_gbk_bytes"])
    func ambiguousOrMisdeclaredBodyIsNotAForm(_ name: String) throws {
        let fixture = try #require(Fixtures.notifications.first { $0.name == name })
        #expect(throws: FormDecodingError.self) { try FormFields(body: Array(fixture.body.utf8)) }
    }

    @Test func everyValidFixtureIsATypedNotification() throws {
        for fixture in Fixtures.notifications where fixture.isValid {
            let form = try FormFields(body: Array(fixture.body.utf8))
            let notification = try Notification(fields: form)
            #expect(notification.appID == Fixtures.config.app_id, "\(fixture.name)")
            #expect(notification.outTradeNo == Fixtures.parameter("out_trade_no", in: fixture.body), "\(fixture.name)")
        }
    }
}
