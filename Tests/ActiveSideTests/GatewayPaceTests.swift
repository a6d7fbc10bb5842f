@testable import ActiveSide
import Ledger
import Testing

/// The pace's rule as a value, and as the ledger's row keeps it for the
/// daemons that share it.
@Suite struct GatewayPaceTests {
    @Test func slotsAreSpacedByTheRateAndAnIdlePaceStartsNow() {
        var pace = GatewayPace(callsPerSecond: 4, now: 0)
        #expect(pace.take(now: 100) == 100)
        #expect(pace.take(now: 100) == 100.25)
        #expect(pace.take(now: 100.1) == 100.5)
        #expect(pace.take(now: 200) == 200, "idle: no slots saved up for a burst")
    }

    @Test func aSlotTakenElsewhereHoldsTheNextBackUntilItEnds() {
        var pace = GatewayPace(callsPerSecond: 10, now: 0)
        pace.notBefore(50)
        #expect(pace.take(now: 49) == 50)
        pace.notBefore(10)
        #expect(pace.take(now: 49) == 50.1, "an earlier moment changes nothing")
    }

    @Test func aPaceKeptInARowReadsBackTheSameAndNeverFasterThanTheReadersRate() {
        var pace = GatewayPace(callsPerSecond: 10, now: 1_800_000_000)
        _ = pace.take(now: 1_800_000_001)
        pace.slowDown(now: 1_800_000_002)
        let row = pace.row
        #expect(row.intervalMicros == 200_000)
        let again = GatewayPace(row: row, callsPerSecond: 10)
        #expect(again.rate == 5 && again.nextSlot == pace.nextSlot && again.lastChange == pace.lastChange)
        #expect(GatewayPace(row: GatewayPace(callsPerSecond: 50, now: 0).row, callsPerSecond: 10).rate == 10,
                "a daemon configured slower keeps to its own rate")
    }

    @Test func aSlowdownWrittenToTheRowByOneDaemonSlowsTheNextThatReadsIt() {
        var first = GatewayPace(row: GatewayPace(callsPerSecond: 2, now: 0).row, callsPerSecond: 2)
        _ = first.take(now: 1000)
        first.slowDown(now: 1000)
        var second = GatewayPace(row: first.row, callsPerSecond: 2)
        let one = second.take(now: 1001)
        let two = second.take(now: 1001)
        #expect(two - one == 1, "one call a second after the 40005, not two")
        _ = second.take(now: 1010)
        #expect(second.rate == 2, "doubled back 10 s after the 40005")
    }
}
