@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// The two stores' schemas move in step, and an upgrade keeps what was there.
@Suite struct SchemaMigrationTests {
    @Test func bothStoresNumberAndNameTheirMigrationsAlike() {
        #expect(SQLiteSchema.migrations.map(\.version) == Array(1...SQLiteSchema.migrations.count))
        #expect(SQLiteSchema.migrations.map(\.version) == PostgresSchema.migrations.map(\.version))
        #expect(SQLiteSchema.migrations.map(\.name) == PostgresSchema.migrations.map(\.name))
    }

    @Test func anSQLiteLedgerOfTheLastReleaseKeepsItsEventsAsNotificationCaused() throws {
        let directory = TemporaryDirectory("migration")
        let path = directory.file("ledger.db")
        do {
            let database = try SQLiteDatabase(path: path)
            try SchemaMigration.migrate(Array(SQLiteSchema.migrations.prefix(3)), on: database) { _, _ in SQLiteError(code: 1, message: "newer") }
            try database.execute("""
                INSERT INTO events(id, kind, out_trade_no, notify_id, amount_fen, created_at, state, lease_owner)
                VALUES ('O1/ship', 'ship', 'O1', 'N1', 100, 'then', 'pending', 'd1');
                INSERT INTO notifications(notify_id, out_trade_no, trade_status, total_fen, received_at, decision, raw_body)
                VALUES ('N1', 'O1', 'TRADE_SUCCESS', 100, 'then', 'ship', x'00');
                """)
        }
        let store = try SQLiteLedgerStore(path: path)
        let event = try #require(try store.event("O1/ship"))
        #expect(event.source == "notification")
        #expect(event.notifyID == "N1")
        #expect(event.leaseOwner == "d1")
        #expect(try store.tradeDetails("O1")?.notifications.map(\.source) == ["notification"])
        #expect(try store.database.scalarInt("SELECT count(*) FROM sqlite_master WHERE name IN ('events_pending', 'events_dead')") == 2)
        #expect(try store.database.scalarInt("SELECT max(version) FROM schema_migrations") == Int64(SQLiteSchema.latestVersion))
    }

    /// An earlier release numbered PostgreSQL's migrations 1 (ledger) and 2
    /// (readiness probe); such a ledger takes today's 2 to 4 without a fault.
    @Test func aPostgreSQLLedgerOfTheEarlierNumberingUpgrades() throws {
        let url = try PostgresServer.shared.makeDatabase()
        let connection = try PostgresConnection(url)
        try SchemaMigration.migrate(Array(PostgresSchema.migrations.prefix(1)), on: connection) { _, _ in SQLiteError(code: 1, message: "newer") }
        try connection.execute("""
            CREATE TABLE readiness_probe (instance TEXT PRIMARY KEY, probed_at TEXT NOT NULL);
            INSERT INTO schema_migrations VALUES (2, 'readiness probe', 'then');
            INSERT INTO events(id, kind, out_trade_no, notify_id, amount_fen, created_at) VALUES ('O1/ship', 'ship', 'O1', 'N1', 100, 'then');
            """)
        let store = PostgresLedgerStore(connectionString: url)
        try store.connect()
        let event = try #require(try store.event("O1/ship"))
        #expect(event.source == "notification")
        #expect(event.notifyID == "N1")
        try store.probeWrite(instance: "i1")
        #expect(try store.scalarInt("SELECT max(version) FROM schema_migrations") == Int64(PostgresSchema.latestVersion))
    }
}
