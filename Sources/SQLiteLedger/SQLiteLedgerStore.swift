import AlipayNotify
import CSQLite
import Ledger

/// The embedded ledger: one SQLite file in WAL mode with `synchronous=FULL`.
public final class SQLiteLedgerStore: SQLLedgerStore {
    let database: SQLiteDatabase
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
        if explicitSync {
            try database.execute("PRAGMA synchronous=NORMAL")
            walSync = try WALSync(walPath: path + "-wal")
        }
        if let checkpointFrames {
            let checkpointer = try WALCheckpointer(path: path, passiveFrames: checkpointFrames.passive, restartFrames: checkpointFrames.restart)
            checkpointer.attach(to: database)
            self.checkpointer = checkpointer
        }
    }

    public var path: String { database.path }

    /// Records the batch in one transaction (see `BatchRecording`).
    public func record(_ batch: [LedgerSubmission]) throws -> [LedgerOutcome] {
        try BatchRecording.record(batch, databaseUnavailable: { ($0 as? SQLiteError)?.isTransient ?? false }) { batch in
            restartCheckpointIfNeeded()
            return try inTransaction { try recordInTransaction(batch, on: $0) }
        }
    }

    /// Always: `recordWithoutWaiting` tries the write lock once and never
    /// waits for it.
    public var admitsCallerCommits: Bool { true }

    /// Records `batch` in one transaction if the write lock is free now
    /// (`BEGIN IMMEDIATE` tried once); nil when another process holds it,
    /// or when the WAL is due for a RESTART checkpoint, which may wait for
    /// readers: the writer's thread does both of those.
    public func recordWithoutWaiting(_ batch: [LedgerSubmission]) throws -> [LedgerOutcome]? {
        if let checkpointer, checkpointer.needsRestart { return nil }
        guard try database.beginWithoutWaiting() else { return nil }
        do {
            let outcomes = try recordInTransaction(batch, on: database)
            try database.commit()
            return outcomes
        } catch {
            database.rollback()
            throw error
        }
    }

    /// A transaction the writer keeps open while the WAL is synced.
    public func beginBatch() throws -> (any OpenLedgerBatch)? {
        restartCheckpointIfNeeded()
        try database.begin()
        return OpenBatch(store: self)
    }

    private final class OpenBatch: OpenLedgerBatch {
        let store: SQLiteLedgerStore
        init(store: SQLiteLedgerStore) { self.store = store }

        func record(_ submissions: [LedgerSubmission]) throws -> [LedgerOutcome] {
            try store.recordInTransaction(submissions, on: store.database)
        }

        func commit() throws { try store.database.commit() }

        func rollback() { store.database.rollback() }
    }

    private func restartCheckpointIfNeeded() {
        if let checkpointer, checkpointer.needsRestart {
            // The background PASSIVE checkpoints copied nearly all of it;
            // finish and start the WAL over (a short pause, once in a while).
            // If it cannot (a reader holds an old snapshot), the next batch tries again.
            checkpointer.restart(on: database)
        }
    }

    deinit {
        checkpointer?.stop()
    }

    public func inTransaction<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        try database.inTransaction { try body(database) }
    }

    /// Reads run outside a transaction: in WAL mode each statement sees a
    /// committed state, and no write lock is taken from the writer.
    public func reading<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        try body(database)
    }

    /// Only this process writes an SQLite ledger.
    public var isShared: Bool { false }
}
