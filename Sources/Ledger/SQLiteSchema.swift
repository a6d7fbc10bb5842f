/// The ledger's tables, as numbered migrations applied in order at start-up.
///
/// A migration is never edited once released; a change is a new one. The
/// tables are meant to be read by people with `sqlite3` too: amounts are
/// integer fen (`total_fen`), times are UTC text, states are words.
enum SQLiteSchema {
    struct Migration {
        let version: Int
        let name: String
        let sql: String
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "ledger", sql: """
            CREATE TABLE orders (
                out_trade_no   TEXT PRIMARY KEY,
                total_fen      INTEGER NOT NULL CHECK (total_fen >= 0),
                business_order TEXT,
                created_at     TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX orders_by_business_order ON orders(business_order);

            -- Every accepted notification, once per notify_id, with its raw body.
            CREATE TABLE notifications (
                id           INTEGER PRIMARY KEY,
                notify_id    TEXT NOT NULL UNIQUE,
                out_trade_no TEXT NOT NULL,
                trade_status TEXT NOT NULL,
                trade_no     TEXT,
                total_fen    INTEGER NOT NULL,
                refund_fen   INTEGER,
                out_biz_no   TEXT,
                notify_time  TEXT,
                received_at  TEXT NOT NULL,
                decision     TEXT NOT NULL,
                raw_body     BLOB NOT NULL
            );
            CREATE INDEX notifications_by_trade ON notifications(out_trade_no);

            -- What the ledger knows of each trade (the state machine's record).
            CREATE TABLE trades (
                out_trade_no      TEXT PRIMARY KEY,
                trade_no          TEXT,
                status            TEXT NOT NULL,
                total_fen         INTEGER NOT NULL,
                paid              INTEGER NOT NULL DEFAULT 0,
                shipped           INTEGER NOT NULL DEFAULT 0,
                duplicate_payment INTEGER NOT NULL DEFAULT 0,
                refunded_fen      INTEGER NOT NULL DEFAULT 0,
                close_reason      TEXT,
                business_order    TEXT,
                updated_at        TEXT NOT NULL,
                shipped_at        TEXT,
                ship_notify_id    TEXT
            ) WITHOUT ROWID;

            -- One row per shipped trade. A trade is one row of 'trades' (its primary
            -- key) and 'shipped' is set once and never cleared: the exactly-once guarantee.
            CREATE VIEW shipments AS
                SELECT out_trade_no, ship_notify_id AS notify_id, trade_no, total_fen, shipped_at
                FROM trades WHERE shipped = 1;

            -- The serial that paid each business order first.
            CREATE TABLE business_order_payments (
                business_order TEXT PRIMARY KEY,
                out_trade_no   TEXT NOT NULL,
                paid_at        TEXT NOT NULL
            ) WITHOUT ROWID;

            -- The transactional outbox: events for fulfillment, written with the notification.
            CREATE TABLE events (
                seq                INTEGER PRIMARY KEY,
                id                 TEXT NOT NULL UNIQUE,
                kind               TEXT NOT NULL,
                out_trade_no       TEXT NOT NULL,
                notify_id          TEXT NOT NULL,
                trade_no           TEXT,
                business_order     TEXT,
                amount_fen         INTEGER NOT NULL,
                refunded_total_fen INTEGER,
                close_reason       TEXT,
                created_at         TEXT NOT NULL,
                state              TEXT NOT NULL DEFAULT 'pending',
                attempts           INTEGER NOT NULL DEFAULT 0,
                next_attempt_at    TEXT,
                last_error         TEXT,
                delivered_at       TEXT
            );
            -- Ids start with the out_trade_no ('ORDER1/ship'), so the unique index on id
            -- also finds a trade's events; undelivered events have their own small index.
            CREATE INDEX events_pending ON events(seq) WHERE state = 'pending';

            -- Authentic notifications that were refused, and why (answered fail).
            CREATE TABLE quarantine (
                id            INTEGER PRIMARY KEY,
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
                raw_body      BLOB NOT NULL
            );
            """),
        Migration(version: 2, name: "outbox leases", sql: """
            -- Who is delivering (or has claimed) an event, and until when: a dispatcher
            -- or a consumer that dies lets its lease run out and the event is claimable again.
            ALTER TABLE events ADD COLUMN lease_owner TEXT;
            ALTER TABLE events ADD COLUMN lease_until TEXT;
            -- Dead-lettered events hold back the later events of their trade.
            CREATE INDEX events_dead ON events(out_trade_no) WHERE state = 'dead';
            """),
        Migration(version: 3, name: "readiness probe", sql: """
            -- The small write and commit that a readiness check makes, one row per instance.
            CREATE TABLE readiness_probe (
                instance  TEXT PRIMARY KEY,
                probed_at TEXT NOT NULL
            ) WITHOUT ROWID;
            """),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the database to the latest version in one transaction. A
    /// database from a newer release is refused rather than misread.
    static func migrate(_ database: SQLiteDatabase) throws {
        try database.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
        try database.transaction {
            let current = try database.scalarInt("SELECT coalesce(max(version), 0) FROM schema_migrations")
            guard current <= latestVersion else {
                throw SQLiteError(code: 1, message: "'\(database.path)' has schema version \(current), newer than this alipay-notifyd knows (\(latestVersion)); upgrade alipay-notifyd")
            }
            for migration in migrations where migration.version > current {
                try database.execute(migration.sql)
                try database.statement("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?1, ?2, ?3)")
                    .run([.integer(Int64(migration.version)), .text(migration.name), .text(Timestamp.now())])
            }
        }
    }
}
