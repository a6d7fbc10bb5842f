import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// What a slot of the shared gateway pace costs: one transaction on the
/// app's row per call to Alipay, from one connection and from three at once
/// (three daemons contending for the row). Runs only when asked:
/// `NOTIFYD_PACE_BENCH=1 swift test --skip-build --disable-xctest --filter
/// GatewayPaceBenchmark` (figures in BENCHMARKS.md).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["NOTIFYD_PACE_BENCH"] != nil, "set NOTIFYD_PACE_BENCH=1"))
struct GatewayPaceBenchmark {
    static let slots = 2000
    static let initial = GatewayPaceRow(nextSlotMicros: 0, intervalMicros: 100_000, changedAtMicros: 0)

    static func takeSlot(_ store: any LedgerStore) throws {
        try store.updateGatewayPace(appID: "APP", initial: initial) { row in row.nextSlotMicros += row.intervalMicros }
    }

    @Test(arguments: StoreKind.allCases)
    func microsecondsPerSlot(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        for _ in 0..<100 { try Self.takeSlot(ledger.store) }
        var runs: [Double] = []
        for _ in 0..<3 {
            let start = Date()
            for _ in 0..<Self.slots { try Self.takeSlot(ledger.store) }
            runs.append(Date().timeIntervalSince(start) * 1e6 / Double(Self.slots))
        }
        print("pace-bench: \(kind), one connection: \(String(format: "%.0f", runs.sorted()[1])) µs per slot (median of 3 × \(Self.slots))")

        // One daemon owns an SQLite ledger: only PostgreSQL is shared.
        guard kind == .postgres else { return }
        let stores = try (0..<3).map { _ in UncheckedSendable(try ledger.reopen()) }
        let start = Date()
        _ = try onThreads(3) { index in for _ in 0..<Self.slots { try Self.takeSlot(stores[index].value) } }
        let seconds = Date().timeIntervalSince(start)
        print("pace-bench: \(kind), three connections at once: \(String(format: "%.0f", Double(3 * Self.slots) / seconds)) slots/s"
              + " (\(String(format: "%.0f", seconds * 1e6 / Double(3 * Self.slots))) µs each)")
    }
}
