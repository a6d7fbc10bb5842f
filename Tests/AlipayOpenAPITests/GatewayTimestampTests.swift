import AlipayOpenAPI
import Testing

/// The timestamp is China time from the given instant, whatever the
/// machine's time zone.
@Suite struct GatewayTimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01 08:00:00"),
        (Int64(1_795_140_942), "2026-11-20 10:15:42"),
        (Int64(1_709_225_999), "2024-03-01 00:59:59"),   // 2024-02-29 16:59:59 UTC: a leap day
        (Int64(1_735_660_800), "2025-01-01 00:00:00"),   // 16:00 UTC on New Year's Eve is midnight in China
        (Int64(1_735_660_799), "2024-12-31 23:59:59"),
        (Int64(-1), "1970-01-01 07:59:59"),
        (Int64(4_102_444_800), "2100-01-01 08:00:00"),   // 2100 is not a leap year
    ])
    func formatsChinaTime(_ seconds: Int64, _ text: String) {
        #expect(GatewayTimestamp(secondsSince1970: seconds).text == text)
    }
}
