import Foundation
@testable import SQLiteLedger
import Testing
import TestSupport

/// What the SQLite ledger needs for durability and for a bounded WAL is
/// checked when it opens: a failure is an error naming it, never ignored.
@Suite struct SQLiteSetupFailureTests {
    @Test func aDirectoryFsyncThatFailsIsAnErrorNamingTheDirectory() throws {
        let directory = TemporaryDirectory("wal-sync-dir")
        let wal = directory.file("ledger.db-wal")
        _ = FileManager.default.createFile(atPath: wal, contents: Data())
        #expect(throws: Never.self) { _ = try WALSync(walPath: wal) }
        do {
            _ = try WALSync(walPath: wal, syncDirectory: { _ in errno = EIO; return -1 })
            Issue.record("a failed fsync of the WAL's directory was ignored")
        } catch {
            #expect("\(error)".contains("fsync of the ledger's directory '\(directory.path)'"), "\(error)")
        }
    }

    @Test func aCheckpointConnectionThatCannotOpenRefusesTheLedger() throws {
        let directory = TemporaryDirectory("wal-checkpointer")
        do {
            _ = try WALCheckpointer(path: directory.file("ledger.db"), connect: { _ in
                throw SQLiteError(code: 14, message: "unable to open database file")
            })
            Issue.record("background checkpoints were turned off without a word")
        } catch {
            #expect("\(error)".contains("cannot open the checkpoint connection"), "\(error)")
        }
    }
}
