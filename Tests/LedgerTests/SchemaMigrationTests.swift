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

    /// Migration 8 keys the history by (out_trade_no, notify_id) with one
    /// index: what was recorded before is still a duplicate after it.
    @Test func anSQLiteHistoryOfTheLastReleaseKeepsItsRowsAndDuplicates() throws {
        let directory = TemporaryDirectory("migration")
        let path = directory.file("ledger.db")
        do {
            let database = try SQLiteDatabase(path: path)
            try SchemaMigration.migrate(Array(SQLiteSchema.migrations.prefix(7)), on: database) { _, _ in SQLiteError(code: 1, message: "newer") }
            try database.execute("""
                INSERT INTO notifications(id, notify_id, source, out_trade_no, trade_status, total_fen, received_at, decision, raw_body)
                VALUES (41, 'N1', 'notification', 'O1', 'TRADE_SUCCESS', 10000, 'then', 'ship', x'0102');
                """)
        }
        let store = try SQLiteLedgerStore(path: path)
        #expect(try store.database.scalarInt("SELECT count(*) FROM notifications WHERE id = 41 AND raw_body = x'0102' AND source = 'notification'") == 1)
        #expect(try store.record([LedgerFixtures.paid("O1", id: "N1", unregistered: true)]).map(\.label) == ["duplicate"])
        #expect(try store.record([LedgerFixtures.paid("O1", id: "N2", unregistered: true)]).map(\.label) == ["ship"])
        #expect(try store.tradeDetails("O1")?.notifications.count == 2)
    }

    @Test func aPostgreSQLHistoryOfTheLastReleaseKeepsItsRowsAndDuplicates() throws {
        let url = try PostgresServer.shared.makeDatabase()
        let connection = try PostgresConnection(url)
        try SchemaMigration.migrate(Array(PostgresSchema.migrations.prefix(7)), on: connection) { _, _ in SQLiteError(code: 1, message: "newer") }
        try connection.execute("""
            INSERT INTO notifications(notify_id, source, out_trade_no, trade_status, total_fen, received_at, decision, raw_body)
            VALUES ('N1', 'notification', 'O1', 'TRADE_SUCCESS', 10000, 'then', 'ship', '\\x0102');
            """)
        let store = PostgresLedgerStore(connectionString: url)
        try store.connect()
        #expect(try store.record([LedgerFixtures.paid("O1", id: "N1", unregistered: true)]).map(\.label) == ["duplicate"])
        #expect(try store.record([LedgerFixtures.paid("O1", id: "N2", unregistered: true)]).map(\.label) == ["ship"])
        #expect(try store.scalarInt("SELECT count(*) FROM notifications WHERE out_trade_no = 'O1'") == 2)
        #expect(try store.scalarInt("SELECT count(*) FROM pg_indexes WHERE tablename = 'notifications'") == 2)   // the key and notifications_by_trade
    }
}
