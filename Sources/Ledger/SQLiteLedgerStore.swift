import AlipayNotify
import CSQLite

/// The embedded ledger: one SQLite file in WAL mode with `synchronous=FULL`.
public final class SQLiteLedgerStore: LedgerStore {
    let database: SQLiteDatabase
    let transaction: SQLiteLedgerTransaction
    private let begin: SQLiteStatement
    private let commit: SQLiteStatement
    private var checkpointer: WALCheckpointer?
    private var walSync: WALSync?

    public var durabilityBarrier: (@Sendable () throws -> Void)? {
        guard let walSync else { return nil }
        return { try walSync.sync() }
    }

    /// Opens (creating it if needed) and migrates the ledger at `path`. A
    /// write that finds the file locked by another process waits up to
    /// `busyTimeoutMilliseconds` before it fails (and is answered 503).
    ///
    /// `explicitSync` (for the daemon's writer): commits do not wait for the
    /// disk (`synchronous=NORMAL`); the writer makes them durable through
    /// `durabilityBarrier` (an `fdatasync` of the WAL) before it answers,
    /// while it already applies the next batch. Otherwise every commit
    /// waits for its fsync (`synchronous=FULL`).
    public convenience init(path: String, busyTimeoutMilliseconds: Int32 = 5000, explicitSync: Bool = false,
                            backgroundCheckpoints: Bool = false) throws {
        try self.init(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds, explicitSync: explicitSync,
                      checkpointFrames: backgroundCheckpoints ? Self.checkpointFrames : nil)
    }

    /// A PASSIVE checkpoint after 4,000 frames (16 MiB of WAL): pages that
    /// many commits rewrite are copied once. The writer restarts the WAL past
    /// 40,000 frames, so the WAL file stays under about 160 MiB.
    static let checkpointFrames: (passive: Int32, restart: Int32) = (4000, 40000)

    /// `checkpointFrames`: WAL sizes (in frames) that start a background
    /// PASSIVE checkpoint and a RESTART by the writer; nil for SQLite's own.
    init(path: String, busyTimeoutMilliseconds: Int32, explicitSync: Bool,
         checkpointFrames: (passive: Int32, restart: Int32)?) throws {
        database = try SQLiteDatabase(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        try SQLiteSchema.migrate(database)
        transaction = try SQLiteLedgerTransaction(database: database)
        begin = try database.statement("BEGIN IMMEDIATE")
        commit = try database.statement("COMMIT")
        if explicitSync {
            try database.execute("PRAGMA synchronous=NORMAL")
            walSync = try WALSync(walPath: path + "-wal")
        }
        if let checkpointFrames {
            let checkpointer = WALCheckpointer(path: path, passiveFrames: checkpointFrames.passive, restartFrames: checkpointFrames.restart)
            checkpointer.attach(to: database)
            self.checkpointer = checkpointer
        }
    }

    public var path: String { database.path }

    /// Records the batch in one transaction (see `BatchRecording`).
    public func record(_ batch: [LedgerSubmission], policy: LedgerPolicy) throws -> [LedgerOutcome] {
        let recorder = NotificationRecorder(policy: policy)
        return try BatchRecording.record(batch, databaseUnavailable: { ($0 as? SQLiteError)?.isTransient ?? false }) {
            try recordInOneTransaction($0, recorder)
        }
    }

    deinit {
        checkpointer?.stop()
    }

    private func recordInOneTransaction(_ batch: [LedgerSubmission], _ recorder: NotificationRecorder) throws -> [LedgerOutcome] {
        if let checkpointer, checkpointer.needsRestart {
            // The background PASSIVE checkpoints copied nearly all of it;
            // finish and start the WAL over (a short pause, once in a while).
            // If it cannot (a reader holds an old snapshot), the next batch tries again.
            checkpointer.restart(on: database)
        }
        try begin.run()
        do {
            var outcomes: [LedgerOutcome] = []
            outcomes.reserveCapacity(batch.count)
            for submission in batch {
                outcomes.append(try recorder.apply(submission, in: transaction))
            }
            try commit.run()
            return outcomes
        } catch {
            if database.inTransaction { try? database.execute("ROLLBACK") }
            throw error
        }
    }

    @discardableResult
    public func addOrder(_ order: MerchantOrder) throws -> Bool {
        try MerchantOrder.validate(outTradeNo: order.outTradeNo, businessOrder: order.businessOrder)
        return try database.transaction {
            if let existing = try self.order(order.outTradeNo) {
                guard existing.totalAmount == order.totalAmount, existing.businessOrder == order.businessOrder else {
                    throw OrderError.conflict(existing: existing)
                }
                return false
            }
            try database.statement("INSERT INTO orders(out_trade_no, total_fen, business_order, created_at) VALUES (?1, ?2, ?3, ?4)")
                .run([.text(order.outTradeNo), .integer(order.totalAmount.value), .optional(order.businessOrder), .text(order.createdAt)])
            return true
        }
    }

    public func order(_ outTradeNo: String) throws -> MerchantOrder? {
        try transaction.order(outTradeNo)
    }

    public func orders(limit: Int) throws -> [MerchantOrder] {
        try database.statement("SELECT out_trade_no, total_fen, business_order, created_at FROM orders ORDER BY created_at DESC, out_trade_no LIMIT ?1")
            .rows([.integer(Int64(limit))], SQLiteLedgerTransaction.readOrder)
    }
}

extension SQLiteLedgerStore {
    public var isShared: Bool { false }

    public func probeWrite(instance: String) throws {
        _ = try database.transaction {
            try database.statement("INSERT OR REPLACE INTO readiness_probe(instance, probed_at) VALUES (?1, ?2)")
                .run([.text(instance), .text(Timestamp.now())])
        }
    }
}

extension SQLiteDatabase {
    /// True while a transaction is open (SQLite may roll one back by itself
    /// after an I/O error or a full disk).
    var inTransaction: Bool {
        sqlite3_get_autocommit(handle) == 0
    }
}
