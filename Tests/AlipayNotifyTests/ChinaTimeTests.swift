import AlipayNotify
import Testing

@Suite struct ChinaTimeTests {
    @Test func utcMidnightIsEightInTheMorningInChina() {
        #expect(ChinaTime.format(secondsSince1970: 0) == "1970-01-01 08:00:00")
        #expect(ChinaTime.format(secondsSince1970: 1_717_381_811) == "2024-06-03 10:30:11")
    }

    @Test func aLeapDayAndTheYearsEndFormatAndParseBack() {
        for text in ["2024-02-29 23:59:59", "2023-12-31 16:00:00", "2000-03-01 00:00:00", "1969-12-31 23:00:00"] {
            let seconds = ChinaTime.parse(text)
            #expect(seconds.map { ChinaTime.format(secondsSince1970: $0) } == text)
        }
    }

    @Test func aTimeThatIsNotExactlyAlipaysFormIsRefused() {
        for text in ["2024-02-30 10:00:00", "2024-06-03T10:30:11", "2024-06-03 24:00:00", "2024-6-03 10:30:11", "", "2024-06-03 10:30:1x"] {
            #expect(ChinaTime.parse(text) == nil, "\(text)")
        }
    }
}
