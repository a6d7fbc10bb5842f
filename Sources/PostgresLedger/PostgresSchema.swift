import Ledger
/// The ledger's tables in PostgreSQL, as numbered migrations. Several
/// daemons may start at once: the migration runs under an advisory lock, so
/// exactly one applies it and the others find it done.
enum PostgresSchema {
    /// The advisory lock key that guards migrations.
    static let migrationLock: Int64 = 0x414C_4950_4159_0001

    static let migrations: [SchemaMigration] = [
        SchemaMigration(version: 1, name: "ledger", sql: """
            CREATE TABLE orders (
                out_trade_no   TEXT PRIMARY KEY,
                total_fen      BIGINT NOT NULL CHECK (total_fen >= 0),
                business_order TEXT,
                created_at     TEXT NOT NULL
            );
            CREATE INDEX orders_by_business_order ON orders(business_order);

            CREATE TABLE notifications (
                id           BIGSERIAL PRIMARY KEY,
                notify_id    TEXT NOT NULL UNIQUE,
                out_trade_no TEXT NOT NULL,
                trade_status TEXT NOT NULL,
                trade_no     TEXT,
                total_fen    BIGINT NOT NULL,
                refund_fen   BIGINT,
                out_biz_no   TEXT,
                notify_time  TEXT,
                received_at  TEXT NOT NULL,
                decision     TEXT NOT NULL,
                raw_body     BYTEA NOT NULL
            );
            CREATE INDEX notifications_by_trade ON notifications(out_trade_no);

            CREATE TABLE trades (
                out_trade_no      TEXT PRIMARY KEY,
                trade_no          TEXT,
                status            TEXT NOT NULL,
                total_fen         BIGINT NOT NULL,
                paid              BOOLEAN NOT NULL DEFAULT false,
                shipped           BOOLEAN NOT NULL DEFAULT false,
                duplicate_payment BOOLEAN NOT NULL DEFAULT false,
                refunded_fen      BIGINT NOT NULL DEFAULT 0,
                close_reason      TEXT,
                business_order    TEXT,
                updated_at        TEXT NOT NULL,
                shipped_at        TEXT,
                ship_notify_id    TEXT
            );
            CREATE VIEW shipments AS
                SELECT out_trade_no, ship_notify_id AS notify_id, trade_no, total_fen, shipped_at
                FROM trades WHERE shipped;

            CREATE TABLE business_order_payments (
                business_order TEXT PRIMARY KEY,
                out_trade_no   TEXT NOT NULL,
                paid_at        TEXT NOT NULL
            );

            CREATE TABLE events (
                seq                BIGSERIAL PRIMARY KEY,
                id                 TEXT NOT NULL UNIQUE,
                kind               TEXT NOT NULL,
                out_trade_no       TEXT NOT NULL,
                notify_id          TEXT NOT NULL,
                trade_no           TEXT,
                business_order     TEXT,
                amount_fen         BIGINT NOT NULL,
                refunded_total_fen BIGINT,
                close_reason       TEXT,
                created_at         TEXT NOT NULL,
                state              TEXT NOT NULL DEFAULT 'pending',
                attempts           INTEGER NOT NULL DEFAULT 0,
                next_attempt_at    TEXT,
                last_error         TEXT,
                delivered_at       TEXT,
                lease_owner        TEXT,
                lease_until        TEXT
            );
            CREATE INDEX events_pending ON events(seq) WHERE state = 'pending';
            CREATE INDEX events_dead ON events(out_trade_no) WHERE state = 'dead';
            CREATE INDEX events_by_trade ON events(out_trade_no, seq);

            CREATE TABLE quarantine (
                id            BIGSERIAL PRIMARY KEY,
                dedup_key     TEXT NOT NULL UNIQUE,
                reason        TEXT NOT NULL,
                detail        TEXT NOT NULL,
                notify_id     TEXT,
                out_trade_no  TEXT,
                app_id        TEXT,
                total_amount  TEXT,
                first_seen_at TEXT NOT NULL,
                last_seen_at  TEXT NOT NULL,
                times_seen    INTEGER NOT NULL DEFAULT 1,
                raw_body      BYTEA NOT NULL
            );
            CREATE INDEX quarantine_by_trade ON quarantine(out_trade_no);
            """),
        // Version 1 already has what SQLite's 2 adds; numbered alike all the same.
        SchemaMigration(version: 2, name: "outbox leases", sql: """
            ALTER TABLE events ADD COLUMN IF NOT EXISTS lease_owner TEXT;
            ALTER TABLE events ADD COLUMN IF NOT EXISTS lease_until TEXT;
            CREATE INDEX IF NOT EXISTS events_dead ON events(out_trade_no) WHERE state = 'dead';
            """),
        // A ledger made by an earlier release has this table as its version 2.
        SchemaMigration(version: 3, name: "readiness probe", sql: """
            CREATE TABLE IF NOT EXISTS readiness_probe (
                instance  TEXT PRIMARY KEY,
                probed_at TEXT NOT NULL
            );
            """),
        SchemaMigration(version: 4, name: "observation sources", sql: """
            ALTER TABLE notifications ADD COLUMN source TEXT NOT NULL DEFAULT 'notification';
            ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT 'notification';
            ALTER TABLE events ALTER COLUMN notify_id DROP NOT NULL;
            """),
        SchemaMigration(version: 5, name: "gateway calls", sql: """
            CREATE TABLE gateway_calls (
                id           TEXT PRIMARY KEY,
                method       TEXT NOT NULL,
                out_trade_no TEXT NOT NULL,
                requested_at TEXT NOT NULL,
                answered_at  TEXT NOT NULL,
                outcome      TEXT NOT NULL,
                code         TEXT,
                sub_code     TEXT,
                detail       TEXT,
                trade_status TEXT,
                raw_answer   BYTEA NOT NULL
            );
            CREATE INDEX gateway_calls_by_trade ON gateway_calls(out_trade_no, requested_at);
            """),
        SchemaMigration(version: 6, name: "order reconciliation", sql: """
            ALTER TABLE orders ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
            ALTER TABLE orders ADD COLUMN expires_at TEXT;
            ALTER TABLE orders ADD COLUMN next_query_at TEXT;
            ALTER TABLE orders ADD COLUMN queries INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE orders ADD COLUMN unknown_since TEXT;
            ALTER TABLE orders ADD COLUMN close_requested_at TEXT;
            ALTER TABLE orders ADD COLUMN lease_owner TEXT;
            UPDATE orders SET state = 'paid' WHERE out_trade_no IN (SELECT out_trade_no FROM trades WHERE paid);
            UPDATE orders SET state = 'closed'
                WHERE state = 'open' AND out_trade_no IN (SELECT out_trade_no FROM trades WHERE close_reason = 'unpaid');
            CREATE INDEX orders_due ON orders(next_query_at) WHERE next_query_at IS NOT NULL;
            CREATE INDEX orders_by_state ON orders(state, created_at);
            """),
        SchemaMigration(version: 7, name: "refund requests", sql: """
            CREATE TABLE refund_requests (
                out_trade_no    TEXT NOT NULL,
                request_no      TEXT NOT NULL,
                amount_fen      BIGINT NOT NULL CHECK (amount_fen > 0),
                reason          TEXT NOT NULL,
                origin          TEXT NOT NULL,
                state           TEXT NOT NULL DEFAULT 'pending',
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_call       TEXT NOT NULL DEFAULT 'refund',
                next_attempt_at TEXT,
                unknown_since   TEXT,
                sent_at         TEXT,
                last_answer     TEXT,
                sub_code        TEXT,
                created_at      TEXT NOT NULL,
                updated_at      TEXT NOT NULL,
                lease_owner     TEXT,
                PRIMARY KEY (out_trade_no, request_no)
            );
            CREATE INDEX refunds_due ON refund_requests(next_attempt_at) WHERE next_attempt_at IS NOT NULL;
            CREATE INDEX refunds_by_request_no ON refund_requests(request_no);
            CREATE INDEX refunds_by_state ON refund_requests(state, unknown_since);
            """),
        SchemaMigration(version: 8, name: "history keyed by trade", sql: """
            -- One index for the duplicate check and a trade's history, leading with out_trade_no
            -- (handed out in order) instead of the random notify_id: see the SQLite migration.
            CREATE UNIQUE INDEX notifications_by_trade_v8 ON notifications(out_trade_no, notify_id);
            ALTER TABLE notifications DROP CONSTRAINT notifications_notify_id_key;
            DROP INDEX notifications_by_trade;
            ALTER INDEX notifications_by_trade_v8 RENAME TO notifications_by_trade;
            """),
        SchemaMigration(version: 9, name: "trade amounts", sql: """
            -- An order's amount is one Alipay takes for a trade: 0.01 to 100,000,000.00 yuan.
            -- NOT VALID: rows written before are kept; every new or changed row is checked.
            ALTER TABLE orders ADD CONSTRAINT orders_total_in_range
                CHECK (total_fen BETWEEN 1 AND 10000000000) NOT VALID;
            ALTER TABLE refund_requests ADD CONSTRAINT refund_requests_amount_in_range
                CHECK (amount_fen BETWEEN 1 AND 10000000000) NOT VALID;
            """),
        SchemaMigration(version: 10, name: "business order claims", sql: """
            -- A business order's claim while a request for a new serial works on it (see the SQLite migration).
            CREATE TABLE business_order_claims (
                business_order TEXT PRIMARY KEY,
                lease_owner    TEXT NOT NULL,
                lease_until    TEXT NOT NULL,
                claimed_at     TEXT NOT NULL
            );
            """),
        SchemaMigration(version: 11, name: "answered closes", sql: """
            ALTER TABLE orders ADD COLUMN close_answered_at TEXT;
            """),
        SchemaMigration(version: 12, name: "gateway pace", sql: """
            -- One app's pace of calls to Alipay, shared by every daemon on the database (see the SQLite migration).
            CREATE TABLE gateway_pace (
                app_id        TEXT PRIMARY KEY,
                next_slot_us  BIGINT NOT NULL,
                interval_us   BIGINT NOT NULL CHECK (interval_us > 0),
                changed_at_us BIGINT NOT NULL
            );
            """),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }

    static func migrate(_ connection: PostgresConnection) throws {
        try SchemaMigration.migrate(migrations, on: connection, lock: .dynamic("SELECT pg_advisory_xact_lock(\(migrationLock))")) { found, known in
            PostgresError(sqlState: nil, message: "the database has schema version \(found), newer than this alipay-notifyd knows (\(known)); upgrade alipay-notifyd",
                          operation: "migrate", connectionLost: false)
        }
    }
}
