import CLinux
import CSQLite
import Foundation

/// Copies the write-ahead log back into the database file on its own thread
/// and its own connection, so that the ledger writer only appends to the
/// WAL and never stalls a batch of answers behind a checkpoint.
///
/// The writer's WAL hook reports the WAL's size after every commit; past
/// `passiveFrames` this thread runs a PASSIVE checkpoint (it never blocks
/// the writer). A PASSIVE checkpoint cannot reset the WAL while the writer
/// keeps appending, so the writer asks for a RESTART itself when the WAL
/// passes `restartFrames` (`needsRestart`); by then nearly everything has
/// been copied and the pause is short.
final class WALCheckpointer: @unchecked Sendable {
    let passiveFrames: Int32
    let restartFrames: Int32
    private let condition = NSCondition()
    private var reportedFrames: Int32 = 0
    private var requested = false
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    private let path: String
    /// Held while a checkpoint runs, so that the writer's RESTART never
    /// collides with a PASSIVE one (SQLite would answer BUSY at once).
    private let checkpointing = NSLock()
    /// Its own connection: checkpointing never touches the writer's.
    private let database: SQLiteDatabase

    /// Opens the checkpoint connection first: a ledger whose checkpoints
    /// could not run is refused at the start, not left to grow its WAL.
    init(path: String, passiveFrames: Int32 = 1000, restartFrames: Int32 = 16000,
         connect: (String) throws -> SQLiteDatabase = { try SQLiteDatabase(path: $0, create: false) }) throws {
        self.path = path
        self.passiveFrames = passiveFrames
        self.restartFrames = restartFrames
        do {
            database = try connect(path)
        } catch {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot open the checkpoint connection to '\(path)' (the WAL would grow without bound): \(error)")
        }
        let thread = Thread { [self] in self.run() }
        thread.name = "wal-checkpoint"
        thread.start()
    }

    /// Registers on the writer's connection (this replaces SQLite's own
    /// automatic checkpoints there).
    func attach(to database: SQLiteDatabase) {
        sqlite3_wal_hook(database.handle, { context, _, _, frames in
            Unmanaged<WALCheckpointer>.fromOpaque(context!).takeUnretainedValue().walDidGrow(to: frames)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called on the writer's thread after each commit.
    private func walDidGrow(to frames: Int32) {
        condition.lock()
        reportedFrames = frames
        if frames >= passiveFrames && !requested {
            requested = true
            condition.signal()
        }
        condition.unlock()
    }

    /// True when the writer should checkpoint with RESTART before its next batch.
    var needsRestart: Bool {
        condition.lock()
        defer { condition.unlock() }
        return reportedFrames >= restartFrames
    }

    /// Run by the writer on its own connection: waits for a PASSIVE
    /// checkpoint in progress, then copies what is left and lets the next
    /// transaction start the WAL over. Returns SQLite's result code.
    @discardableResult
    func restart(on database: SQLiteDatabase) -> Int32 {
        checkpointing.lock()
        defer { checkpointing.unlock() }
        var logFrames: Int32 = 0
        var copiedFrames: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(database.handle, nil, SQLITE_CHECKPOINT_RESTART, &logFrames, &copiedFrames)
        if code == SQLITE_OK {
            condition.lock()
            reportedFrames = 0
            condition.unlock()
        }
        return code
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        finished.wait()
    }

    private func run() {
        notifyd_set_thread_name("wal-checkpoint")
        while true {
            condition.lock()
            while !requested && !stopping { condition.wait() }
            if stopping {
                condition.unlock()
                break
            }
            requested = false
            condition.unlock()
            var logFrames: Int32 = 0
            var copiedFrames: Int32 = 0
            checkpointing.lock()
            _ = sqlite3_wal_checkpoint_v2(database.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copiedFrames)
            checkpointing.unlock()
        }
        finished.signal()
    }
}
