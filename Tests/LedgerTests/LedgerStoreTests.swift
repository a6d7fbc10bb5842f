import AlipayNotify
import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Testing
import TestSupport

/// The ledger's rules, against SQLite and PostgreSQL alike.
@Suite struct LedgerStoreTests {
    @Test(arguments: StoreKind.allCases) func recordsAPaidNotificationWithItsShipmentAndEventInOneTransaction(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store
        try ledger.addOrders([("O1", 10000, nil)])
        let outcomes = try store.record([LedgerFixtures.paid("O1", id: "N1")])
        #expect(outcomes.map(\.label) == ["ship"])
        #expect(try ledger.count("SELECT count(*) FROM notifications WHERE notify_id = 'N1' AND length(raw_body) = 14") == 1)
        #expect(try ledger.count("SELECT count(*) FROM shipments WHERE out_trade_no = 'O1' AND total_fen = 10000") == 1)
        #expect(try ledger.count("SELECT count(*) FROM events WHERE id = 'O1/ship' AND state = 'pending'") == 1)
        #expect(try ledger.count("SELECT count(*) FROM trades WHERE out_trade_no = 'O1' AND paid AND shipped") == 1)
    }

    @Test(arguments: StoreKind.allCases) func aRecordedNotifyIDIsADuplicateAndChangesNothing(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store
        try ledger.addOrders([("O1", 10000, nil)])
        _ = try store.record([LedgerFixtures.paid("O1", id: "N1")])
        let again = try store.record([LedgerFixtures.paid("O1", id: "N1", status: .tradeFinished)])
        #expect(again.map(\.label) == ["duplicate"])
        #expect(try ledger.count("SELECT count(*) FROM notifications") == 1)
        #expect(try ledger.count("SELECT count(*) FROM trades WHERE status = 'TRADE_SUCCESS'") == 1)
    }

    /// Notify_ids arrive in random order, out_trade_nos in about the order a
    /// shop hands them out: one index leading with out_trade_no serves the
    /// duplicate check and the trade's history, and a batch's inserts land
    /// on neighbouring pages of it.
    @Test func theDuplicateCheckAndTheHistoryShareOneIndexLeadingWithTheTrade() throws {
        let ledger = try TestLedger(.sqlite)
        let sqlite = try #require(ledger.store as? SQLiteLedgerStore)
        let indexes = try sqlite.database.rows("SELECT name FROM pragma_index_list('notifications')", []) { $0.text(0) }
        #expect(indexes == ["notifications_by_trade"])
        #expect(try sqlite.database.rows("SELECT name FROM pragma_index_info('notifications_by_trade') ORDER BY seqno", []) { $0.text(0) }
                == ["out_trade_no", "notify_id"])
        for (statement, values) in [(LedgerReads.observationExists, [SQLValue.text("O1"), .text("N1")]), (LedgerReads.tradeHistory, [.text("O1")])] {
            let plan = try sqlite.database.rows("EXPLAIN QUERY PLAN " + statement.text, values) { $0.text(3) }
            #expect(plan.joined().contains("INDEX notifications_by_trade") && !plan.joined().contains("SCAN"), "\(plan)")
        }
    }

    @Test(arguments: StoreKind.allCases) func theSameNotifyIDTwiceInOneBatchIsRecordedOnce(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store
        try ledger.addOrders([("O1", 10000, nil)])
        let outcomes = try store.record([LedgerFixtures.paid("O1", id: "N1"), LedgerFixtures.paid("O1", id: "N1")])
        #expect(outcomes.map(\.label) == ["ship", "duplicate"])
        #expect(try ledger.count("SELECT count(*) FROM shipments") == 1)
    }

    @Test(arguments: StoreKind.allCases) func anUnknownOrderIsQuarantinedAndItsNotifyIDStaysUnprocessed(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store
        let first = try store.record([LedgerFixtures.paid("O9", id: "N9")])
        #expect(first.map(\.label) == ["rejected:unknown_order"])
        #expect(try ledger.count("SELECT count(*) FROM quarantine WHERE reason = 'unknown_order' AND notify_id = 'N9'") == 1)
        #expect(try ledger.count("SELECT count(*) FROM notifications") == 0)
        #expect(try ledger.count("SELECT count(*) FROM events") == 0)

        // The merchant registers the order late; Alipay's retry then goes through.
        try store.addOrder(MerchantOrder(outTradeNo: "O9", totalAmount: Fen(10000)))
        #expect(try store.record([LedgerFixtures.paid("O9", id: "N9")]).map(\.label) == ["ship"])
    }

    @Test(arguments: StoreKind.allCases) func aWrongAmountIsQuarantinedOnceAndCountedOnEveryRetry(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store
        try ledger.addOrders([("O1", 10000, nil)])
        for _ in 0..<3 {
            let outcome = try store.record([LedgerFixtures.paid("O1", id: "N1", total: 100)])
            #expect(outcome.map(\.label) == ["rejected:amount_mismatch"])
        }
        #expect(try ledger.count("SELECT times_seen FROM quarantine WHERE reason = 'amount_mismatch'") == 3)
        #expect(try ledger.count("SELECT count(*) FROM shipments") == 0)
    }

    @Test(arguments: StoreKind.allCases) func acceptingUnknownOrdersRecordsThem(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store
        let outcomes = try store.record([LedgerFixtures.paid("O5", id: "N5", unregistered: true)])
        #expect(outcomes.map(\.label) == ["ship"])
    }

    @Test(arguments: StoreKind.allCases) func aSecondPaidSerialOfOneBusinessOrderIsADuplicatePaymentNotAShipment(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store
        try ledger.addOrders([("S1", 5000, "B1"), ("S2", 5000, "B1")])
        let outcomes = try store.record([LedgerFixtures.paid("S1", id: "N1", total: 5000)])
            + store.record([LedgerFixtures.paid("S2", id: "N2", total: 5000)])
            + store.record([LedgerFixtures.paid("S2", id: "N3", total: 5000, status: .tradeFinished)])
        #expect(outcomes.map(\.label) == ["ship", "duplicate_payment", "recorded"])
        #expect(try ledger.count("SELECT count(*) FROM shipments") == 1)
        #expect(try ledger.count("SELECT count(*) FROM events WHERE kind = 'duplicate_payment' AND business_order = 'B1'") == 1)
        #expect(try ledger.count("SELECT count(*) FROM business_order_payments WHERE out_trade_no = 'S1'") == 1)
    }

    @Test(arguments: StoreKind.allCases) func partialRefundsThenAFullRefundWriteRefundAndCloseEvents(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store
        try ledger.addOrders([("O1", 10000, nil)])
        let steps = [
            LedgerFixtures.paid("O1", id: "N1"),
            LedgerFixtures.paid("O1", id: "N2", refund: 3000),
            LedgerFixtures.paid("O1", id: "N3", refund: 5000),
            LedgerFixtures.paid("O1", id: "N4", status: .tradeClosed, refund: 10000),
        ]
        let outcomes = try steps.flatMap { try store.record([$0]) }
        #expect(outcomes.map(\.label) == ["ship", "refund", "refund", "close"])
        #expect(try ledger.count("SELECT sum(amount_fen) FROM events WHERE kind = 'refund'") == 5000)
        #expect(try ledger.count("SELECT count(*) FROM trades WHERE close_reason = 'refunded' AND refunded_fen = 10000") == 1)
    }

    @Test(arguments: StoreKind.allCases) func registeringAnOrderTwiceIsHarmlessButChangingItsAmountIsRefused(_ kind: StoreKind) throws {
        let ledger = try TestLedger(kind)
        let store = ledger.store
        #expect(try store.addOrder(MerchantOrder(outTradeNo: "O1", totalAmount: Fen(100))))
        #expect(try !store.addOrder(MerchantOrder(outTradeNo: "O1", totalAmount: Fen(100))))
        #expect(throws: OrderError.self) { try store.addOrder(MerchantOrder(outTradeNo: "O1", totalAmount: Fen(101))) }
        #expect(throws: OrderError.self) { try store.addOrder(MerchantOrder(outTradeNo: "has space", totalAmount: Fen(1))) }
        #expect(throws: OrderError.self) { try store.addOrder(MerchantOrder(outTradeNo: "", totalAmount: Fen(1))) }
        #expect(try store.orders(limit: 10).map(\.outTradeNo) == ["O1"])
    }
}

/// What only the SQLite file has: pragmas, migrations, file locks.
@Suite struct SQLiteLedgerStoreTests {
    let directory = TemporaryDirectory("ledger")

    @Test func migrationsRunOnceAndARepeatedOpenIsHarmless() throws {
        _ = try LedgerFixtures.store(directory)
        let reopened = try SQLiteLedgerStore(path: directory.file("ledger.db"))
        #expect(try LedgerFixtures.count(reopened, "SELECT count(*) FROM schema_migrations") == Int64(SQLiteSchema.latestVersion))
        #expect(try reopened.database.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try LedgerFixtures.count(reopened, "PRAGMA synchronous") == 2) // FULL
    }

    @Test func aLedgerFromANewerReleaseIsRefused() throws {
        let store = try LedgerFixtures.store(directory)
        try store.database.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x')")
        #expect(throws: SQLiteError.self) { try SQLiteLedgerStore(path: directory.file("ledger.db")) }
    }

    @Test func aLockedDatabaseFailsTheWholeBatchAndCommitsNothing() throws {
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"), busyTimeoutMilliseconds: 100)
        try store.addOrder(MerchantOrder(outTradeNo: "O1", totalAmount: Fen(10000)))
        let other = try SQLiteDatabase(path: directory.file("ledger.db"))
        try other.execute("BEGIN IMMEDIATE")
        #expect(throws: SQLiteError.self) { try store.record([LedgerFixtures.paid("O1", id: "N1")]) }
        try other.execute("ROLLBACK")
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM notifications") == 0)
        #expect(try store.record([LedgerFixtures.paid("O1", id: "N1")]).map(\.label) == ["ship"])
    }

    /// What an event loop may call: another connection's write lock is
    /// not waited for (the writer's thread waits instead), and nothing is
    /// written; a waiting write's failure says the lock was unavailable.
    @Test func aCallersAttemptNeverWaitsForAnotherConnectionsWriteLock() throws {
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"), busyTimeoutMilliseconds: 2000)
        #expect(store.admitsCallerCommits)
        let other = try SQLiteDatabase(path: directory.file("ledger.db"))
        try other.execute("BEGIN EXCLUSIVE")
        let started = Date()
        #expect(try store.recordWithoutWaiting([LedgerFixtures.paid("O1", id: "N1", unregistered: true)]) == nil)
        #expect(Date().timeIntervalSince(started) < 0.5, "waited \(Date().timeIntervalSince(started)) s for the lock")
        do {
            _ = try store.record([LedgerFixtures.paid("O1", id: "N1", unregistered: true)])
            Issue.record("recorded on a locked ledger")
        } catch {
            #expect(error.meansWriteLockUnavailable, "\(error)")
            #expect(Date().timeIntervalSince(started) >= 2, "the writer's attempt did not wait its busy timeout")
        }
        try other.execute("ROLLBACK")
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM notifications") == 0)
        // The busy timeout is back for everything else, and a free lock is taken at once.
        #expect(try store.database.scalarInt("PRAGMA busy_timeout") == 2000)
        #expect(try store.recordWithoutWaiting([LedgerFixtures.paid("O1", id: "N1", unregistered: true)])?.map(\.label) == ["ship"])
        #expect(!(SQLiteError(code: 19, message: "constraint failed")).isWriteLockUnavailable)
    }
}

/// PostgreSQL only: what several daemons sharing one database rely on.
@Suite struct PostgresLedgerStoreTests {
    /// The batch reads pass their keys as one array literal and every
    /// parameter through one buffer: what comes back is what went in,
    /// whatever the text holds (quotes, backslashes, commas, braces, Chinese).
    /// A batch's multi-row INSERT: the values clause repeated with its
    /// parameters renumbered, a parameter used twice renumbered alike, the
    /// rest of the statement kept.
    @Test func aMultiRowStatementRenumbersEachRowsParameters() {
        let single = "INSERT INTO t(a, b, c) VALUES ($1, $2::boolean, $3, $3) ON CONFLICT (a) DO NOTHING"
        #expect(SetBasedRecorder.Statements.multiRowText(single, rows: 3) == """
            INSERT INTO t(a, b, c) VALUES ($1, $2::boolean, $3, $3), ($4, $5::boolean, $6, $6), ($7, $8::boolean, $9, $9) \
            ON CONFLICT (a) DO NOTHING
            """)
        let twelve = SetBasedRecorder.Statements.multiRowText(LedgerWrites.insertEvent.text, rows: 12)
        #expect(twelve.contains("$132, $132)") && twelve.hasSuffix("ON CONFLICT (id) DO NOTHING"))
    }

    @Test func keysAndParametersReachPostgreSQLUnchanged() throws {
        let connection = try PostgresConnection(try PostgresServer.shared.makeDatabase())
        let keys = ["O1", #"a"b"#, #"c\d"#, "e,f", "{g}", "支付宝", "", " h ", "NULL"]
        let back = try connection.rows(SQLStatement("SELECT k FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n"),
                                       [SetBasedRecorder.textArray(keys)]) { $0.text(0) }
        #expect(back == keys)
        let row = try connection.rows(SQLStatement("SELECT $1::text, $2::bigint, $3::bytea, $4::text IS NULL, $5::text"),
                                      [.text("支付宝 \\ ' \""), .integer(-42), .blob([0, 255, 10]), .null, .text("")]) {
            [$0.text(0), $0.text(1), $0.text(2), $0.text(3), $0.text(4)]
        }
        #expect(row == [["支付宝 \\ ' \"", "-42", "\\x00ff0a", "t", ""]])
    }

    /// Six daemons starting at the same moment on an empty database: one
    /// of them migrates, the others wait on the advisory lock and find it done.
    @Test func instancesStartingTogetherMigrateOnce() throws {
        let url = try PostgresServer.shared.makeDatabase()
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do {
                try PostgresLedgerStore(connectionString: url).connect()
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty)
        let check = PostgresLedgerStore(connectionString: url)
        try check.connect()
        #expect(try check.scalarInt("SELECT count(*) FROM schema_migrations") == Int64(PostgresSchema.latestVersion))
        #expect(try check.scalarInt("SELECT count(DISTINCT version) FROM schema_migrations") == Int64(PostgresSchema.latestVersion))
    }

    @Test func aDatabaseFromANewerReleaseIsRefused() throws {
        let url = try PostgresServer.shared.makeDatabase()
        let store = PostgresLedgerStore(connectionString: url)
        try store.connect()
        _ = try PostgresServer.shared.sql(url, "INSERT INTO schema_migrations VALUES (99, 'future', 'x')")
        #expect(throws: PostgresError.self) { try PostgresLedgerStore(connectionString: url).connect() }
    }

    /// A caller (an event loop) may commit only on a connection known to
    /// work: never one that must first be made (up to connect_timeout), nor
    /// right after a transaction failed.
    @Test func aCallerMayCommitOnlyWhileConnectedAndTheLastTransactionSucceeded() throws {
        let url = try PostgresServer.shared.makeDatabase()
        let store = PostgresLedgerStore(connectionString: url)
        #expect(!store.admitsCallerCommits, "not connected yet")
        #expect(try store.recordWithoutWaiting([LedgerFixtures.paid("O1", id: "N1", unregistered: true)]) == nil)
        _ = try store.orders(limit: 1)
        #expect(store.admitsCallerCommits)
        #expect(try store.recordWithoutWaiting([LedgerFixtures.paid("O1", id: "N1", unregistered: true)])?.map(\.label) == ["ship"])
        #expect(throws: PostgresError.self) { try store.scalarInt("SELECT no_such_column FROM orders") }
        #expect(!store.admitsCallerCommits, "the last transaction failed")
        _ = try store.orders(limit: 1)
        #expect(store.admitsCallerCommits)
        // The server ends the connection: the next transaction fails, and says the lock could not be had.
        _ = try PostgresServer.shared.sql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        do {
            _ = try store.orders(limit: 1)
            Issue.record("a terminated connection answered")
        } catch {
            #expect(error.meansWriteLockUnavailable, "\(error)")
        }
        #expect(!store.admitsCallerCommits)
        _ = try store.orders(limit: 1)   // reconnected by the holder, not by a caller
        #expect(store.admitsCallerCommits)
    }

    @Test func theConnectionStringGetsTimeoutsAndKeepsThePasswordOutOfLogs() {
        let url = PostgresLedgerStore.withDefaults("postgres://notifyd:secret@db:5432/alipay")
        #expect(url.contains("?connect_timeout=5&keepalives_idle=30"))
        #expect(PostgresLedgerStore.withDefaults("host=db connect_timeout=2").contains("connect_timeout=2 keepalives_idle=30"))
        #expect(!PostgresLedgerStore.withDefaults("host=db connect_timeout=2").contains("connect_timeout=5"))
        #expect(LedgerLocation("postgres://notifyd:secret@db:5432/alipay").description == "postgres://notifyd:***@db:5432/alipay")
        #expect(LedgerLocation("host=db password=secret dbname=x").description == "host=db password=*** dbname=x")
        #expect(LedgerLocation("/var/lib/alipay-notifyd/ledger.db") == .sqlite(path: "/var/lib/alipay-notifyd/ledger.db"))
        #expect(LedgerLocation("dbname=alipay") == .postgres(connectionString: "dbname=alipay"))
    }

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ text: String) { lock.withLock { list.append(text) } }
        var all: [String] { lock.withLock { list } }
    }
}
