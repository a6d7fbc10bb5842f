import Ledger
/// The ledger's tables, as numbered migrations applied in order at start-up.
///
/// A migration is never edited once released; a change is a new one. The
/// tables are meant to be read by people with `sqlite3` too: amounts are
/// integer fen (`total_fen`), times are UTC text, states are words.
enum SQLiteSchema {
    static let migrations: [SchemaMigration] = [
        SchemaMigration(version: 1, name: "ledger", sql: """
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
        SchemaMigration(version: 2, name: "outbox leases", sql: """
            -- Who is delivering (or has claimed) an event, and until when: a dispatcher
            -- or a consumer that dies lets its lease run out and the event is claimable again.
            ALTER TABLE events ADD COLUMN lease_owner TEXT;
            ALTER TABLE events ADD COLUMN lease_until TEXT;
            -- Dead-lettered events hold back the later events of their trade.
            CREATE INDEX events_dead ON events(out_trade_no) WHERE state = 'dead';
            """),
        SchemaMigration(version: 3, name: "readiness probe", sql: """
            -- The small write and commit that a readiness check makes, one row per instance.
            CREATE TABLE readiness_probe (
                instance  TEXT PRIMARY KEY,
                probed_at TEXT NOT NULL
            ) WITHOUT ROWID;
            """),
        SchemaMigration(version: 4, name: "observation sources", sql: """
            -- The trade's history holds every observation: a notification (notify_id is
            -- Alipay's) or a verified gateway answer (notify_id is the id of the call).
            ALTER TABLE notifications ADD COLUMN source TEXT NOT NULL DEFAULT 'notification';
            -- Events say what caused them; notify_id only when a notification did.
            CREATE TABLE events_v4 (
                seq                INTEGER PRIMARY KEY,
                id                 TEXT NOT NULL UNIQUE,
                kind               TEXT NOT NULL,
                out_trade_no       TEXT NOT NULL,
                source             TEXT NOT NULL DEFAULT 'notification',
                notify_id          TEXT,
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
                delivered_at       TEXT,
                lease_owner        TEXT,
                lease_until        TEXT
            );
            INSERT INTO events_v4(seq, id, kind, out_trade_no, notify_id, trade_no, business_order, amount_fen,
                                  refunded_total_fen, close_reason, created_at, state, attempts, next_attempt_at,
                                  last_error, delivered_at, lease_owner, lease_until)
                SELECT seq, id, kind, out_trade_no, notify_id, trade_no, business_order, amount_fen,
                       refunded_total_fen, close_reason, created_at, state, attempts, next_attempt_at,
                       last_error, delivered_at, lease_owner, lease_until
                FROM events;
            DROP TABLE events;
            ALTER TABLE events_v4 RENAME TO events;
            CREATE INDEX events_pending ON events(seq) WHERE state = 'pending';
            CREATE INDEX events_dead ON events(out_trade_no) WHERE state = 'dead';
            """),
        SchemaMigration(version: 5, name: "gateway calls", sql: """
            -- Every call to Alipay's gateway and what came of it (succeeded, refused, unknown).
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
                raw_answer   BLOB NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX gateway_calls_by_trade ON gateway_calls(out_trade_no, requested_at);
            """),
        SchemaMigration(version: 6, name: "order reconciliation", sql: """
            -- Each order's state (open, paid, closed, expired, attention), its expiry, and
            -- its schedule of questions to Alipay. Orders registered before have no expiry
            -- and no schedule: they are not reconciled.
            ALTER TABLE orders ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
            ALTER TABLE orders ADD COLUMN expires_at TEXT;
            ALTER TABLE orders ADD COLUMN next_query_at TEXT;
            ALTER TABLE orders ADD COLUMN queries INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE orders ADD COLUMN unknown_since TEXT;
            ALTER TABLE orders ADD COLUMN close_requested_at TEXT;
            ALTER TABLE orders ADD COLUMN lease_owner TEXT;
            UPDATE orders SET state = 'paid' WHERE out_trade_no IN (SELECT out_trade_no FROM trades WHERE paid = 1);
            UPDATE orders SET state = 'closed'
                WHERE state = 'open' AND out_trade_no IN (SELECT out_trade_no FROM trades WHERE close_reason = 'unpaid');
            -- What is due: the reconciler reads this index, never the whole table.
            CREATE INDEX orders_due ON orders(next_query_at) WHERE next_query_at IS NOT NULL;
            CREATE INDEX orders_by_state ON orders(state, created_at);
            """),
        SchemaMigration(version: 7, name: "refund requests", sql: """
            -- Refund requests: recorded in the transaction that decides them, then sent, always
            -- with the same request_no (Alipay's out_request_no), until the answer is known.
            CREATE TABLE refund_requests (
                out_trade_no    TEXT NOT NULL,
                request_no      TEXT NOT NULL,
                amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
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
            ) WITHOUT ROWID;
            CREATE INDEX refunds_due ON refund_requests(next_attempt_at) WHERE next_attempt_at IS NOT NULL;
            CREATE INDEX refunds_by_request_no ON refund_requests(request_no);
            CREATE INDEX refunds_by_state ON refund_requests(state, unknown_since);
            """),
        SchemaMigration(version: 8, name: "history keyed by trade", sql: """
            -- One index serves both the duplicate check and a trade's history: it leads with
            -- out_trade_no, which a shop hands out in order, so a batch of notifications writes
            -- a few neighbouring index pages instead of one random page each (Alipay's
            -- notify_ids arrive in random order). An observation is recorded once per trade and id.
            CREATE TABLE notifications_v8 (
                id           INTEGER PRIMARY KEY,
                notify_id    TEXT NOT NULL,
                out_trade_no TEXT NOT NULL,
                trade_status TEXT NOT NULL,
                trade_no     TEXT,
                total_fen    INTEGER NOT NULL,
                refund_fen   INTEGER,
                out_biz_no   TEXT,
                notify_time  TEXT,
                received_at  TEXT NOT NULL,
                decision     TEXT NOT NULL,
                raw_body     BLOB NOT NULL,
                source       TEXT NOT NULL DEFAULT 'notification'
            );
            INSERT INTO notifications_v8(id, notify_id, out_trade_no, trade_status, trade_no, total_fen, refund_fen,
                                         out_biz_no, notify_time, received_at, decision, raw_body, source)
                SELECT id, notify_id, out_trade_no, trade_status, trade_no, total_fen, refund_fen,
                       out_biz_no, notify_time, received_at, decision, raw_body, source
                FROM notifications;
            DROP TABLE notifications;
            ALTER TABLE notifications_v8 RENAME TO notifications;
            CREATE UNIQUE INDEX notifications_by_trade ON notifications(out_trade_no, notify_id);
            """),
        SchemaMigration(version: 9, name: "trade amounts", sql: """
            -- An order's amount is one Alipay takes for a trade: 0.01 to 100,000,000.00 yuan.
            -- SQLite cannot add a CHECK to a table that exists, so these triggers are that
            -- CHECK; like PostgreSQL's NOT VALID constraint, rows written before are kept.
            CREATE TRIGGER orders_total_in_range_on_insert BEFORE INSERT ON orders
                WHEN NEW.total_fen NOT BETWEEN 1 AND 10000000000
                BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: orders total_fen must be 1 to 10000000000 fen (0.01 to 100000000.00 yuan)'); END;
            CREATE TRIGGER orders_total_in_range_on_update BEFORE UPDATE OF total_fen ON orders
                WHEN NEW.total_fen NOT BETWEEN 1 AND 10000000000
                BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: orders total_fen must be 1 to 10000000000 fen (0.01 to 100000000.00 yuan)'); END;
            CREATE TRIGGER refunds_amount_in_range_on_insert BEFORE INSERT ON refund_requests
                WHEN NEW.amount_fen > 10000000000
                BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: refund_requests amount_fen must be 1 to 10000000000 fen'); END;
            """),
        SchemaMigration(version: 10, name: "business order claims", sql: """
            -- A request for a new payment serial holds its business order's claim (owner and lease)
            -- while it closes the earlier serials at Alipay and registers the new one; another request
            -- that finds it held is told to try again. A row exists while a claim is held.
            CREATE TABLE business_order_claims (
                business_order TEXT PRIMARY KEY,
                lease_owner    TEXT NOT NULL,
                lease_until    TEXT NOT NULL,
                claimed_at     TEXT NOT NULL
            ) WITHOUT ROWID;
            """),
        SchemaMigration(version: 11, name: "answered closes", sql: """
            -- When Alipay last answered a close of the order with a final result (closed, or no such
            -- trade): a new serial does not close it again unless its trade's history has something newer.
            ALTER TABLE orders ADD COLUMN close_answered_at TEXT;
            """),
        SchemaMigration(version: 12, name: "gateway pace", sql: """
            -- The pace of calls to Alipay for one app, shared by the daemons on a ledger (Alipay counts
            -- calls per app): when the next call may start, the spacing now (doubled after a 40005), and
            -- when the spacing last changed, in microseconds since 1970.
            CREATE TABLE gateway_pace (
                app_id        TEXT PRIMARY KEY,
                next_slot_us  INTEGER NOT NULL,
                interval_us   INTEGER NOT NULL CHECK (interval_us > 0),
                changed_at_us INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }

    static func migrate(_ database: SQLiteDatabase) throws {
        try SchemaMigration.migrate(migrations, on: database) { found, known in
            SQLiteError(code: 1, message: "'\(database.path)' has schema version \(found), newer than this alipay-notifyd knows (\(known)); upgrade alipay-notifyd")
        }
    }
}
