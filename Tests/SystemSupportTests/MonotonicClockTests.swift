import Testing
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct MonotonicClockTests {
    @Test func neverGoesBackAndMeasuresASleep() {
        let before = MonotonicClock.nanoseconds()
        usleep(20_000)
        let after = MonotonicClock.nanoseconds()
        #expect(after - before >= 20_000_000)
        #expect(after - before < 5_000_000_000)
    }
}
