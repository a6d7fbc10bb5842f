import Testing
import SystemSupport

@Suite struct DurationConversionsTests {
    @Test(arguments: [Int64(0), 1, 999, 1_000_000, 1_500_000_000, 86_400_000_000_123])
    func nanosecondsRoundTrip(_ nanoseconds: Int64) {
        #expect(Duration.nanoseconds(nanoseconds).inNanoseconds == nanoseconds)
    }

    @Test(arguments: [0, 1, 250, 1_000, 30_000, 3_600_000])
    func millisecondsRoundTrip(_ milliseconds: Int) {
        #expect(Duration.milliseconds(milliseconds).inMilliseconds == milliseconds)
    }

    @Test func secondsKeepTheirFraction() {
        #expect(Duration.milliseconds(1_500).inSeconds == 1.5)
        #expect(Duration.seconds(30).inSeconds == 30)
        #expect(Duration.seconds(0.25).inSeconds == 0.25)
    }

    @Test func truncatesToWholeUnits() {
        #expect(Duration.nanoseconds(1_999_999).inMilliseconds == 1)
        #expect(Duration.microseconds(1).inNanoseconds == 1_000)
    }
}
