import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// The shared pace's row: created once per app, changed only under its
/// lock, so that daemons changing it at once lose none of each other's
/// changes. On both stores, with a connection per "daemon".
@Suite struct GatewayPaceStoreTests {
    static let initial = GatewayPaceRow(nextSlotMicros: 0, intervalMicros: 100_000, changedAtMicros: 0)

    @Test(arguments: StoreKind.allCases)
    func theRowStartsAsGivenAndKeepsWhatWasWritten(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let seen = try ledger.store.updateGatewayPace(appID: "APP", initial: Self.initial) { row -> GatewayPaceRow in
            let before = row
            row.nextSlotMicros = 5_000_000
            row.intervalMicros = 200_000
            return before
        }
        #expect(seen == Self.initial)
        let later = try ledger.reopen().updateGatewayPace(appID: "APP", initial: Self.initial) { $0 }
        #expect(later == GatewayPaceRow(nextSlotMicros: 5_000_000, intervalMicros: 200_000, changedAtMicros: 0))
        #expect(try ledger.store.updateGatewayPace(appID: "OTHER", initial: Self.initial) { $0 } == Self.initial, "one row per app")
        #expect(try ledger.count("SELECT count(*) FROM gateway_pace") == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func changesMadeAtOnceOnManyConnectionsAreAllKept(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let stores = try (0..<6).map { _ in UncheckedSendable(try ledger.reopen()) }
        _ = try onThreads(stores.count) { index in
            for _ in 0..<25 {
                try stores[index].value.updateGatewayPace(appID: "APP", initial: Self.initial) { row in row.nextSlotMicros += 1 }
            }
        }
        #expect(try ledger.store.updateGatewayPace(appID: "APP", initial: Self.initial) { $0.nextSlotMicros } == 150)
    }
}
