import AlipayNotify
import Dispatch
import Foundation
@testable import Ledger
@testable import SQLiteLedger
import Locking
import Logging
import Testing
import TestSupport

/// The ledger file write-locked by another connection (a backup, an
/// operator's `sqlite3` holding `BEGIN EXCLUSIVE`): no caller of `submit`
/// waits on the lock, and everything queued behind an attempt that waited
/// its busy timeout is answered 503 with it, not each after a wait of its own.
@Suite struct LockedLedgerTests {
    typealias BarrierStore = DurabilityTests.FailingBarrierStore
    let directory = TemporaryDirectory("locked-ledger")
    /// Short, so the tests are quick; long beside the margins they allow.
    static let busyTimeout = 1.0

    /// When one answer came, and on which thread.
    struct Answer: Sendable {
        let label: String
        let seconds: Double
        let thread: pthread_t
    }

    /// The daemon's kind of store (explicit fsync, batches kept open) and a
    /// second connection to the same file.
    func ledger(admitsCallers: Bool = true) throws -> (SQLiteLedgerStore, BarrierStore, SQLiteDatabase) {
        let path = directory.file("ledger.db")
        let store = try SQLiteLedgerStore(path: path, busyTimeoutMilliseconds: Int32(Self.busyTimeout * 1000), explicitSync: true)
        let wrapped = BarrierStore(store, fail: false, openBatches: true, admitsCallers: admitsCallers)
        return (store, wrapped, try SQLiteDatabase(path: path))
    }

    /// Collects answers, timed from `start`.
    final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [Int: Answer] = [:]
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds

        func completion(_ index: Int) -> LedgerWriter.Completion {
            group.enter()
            return { [self] outcome in
                let answer = Answer(label: outcome.label, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                                    thread: pthread_self())
                lock.withLock { answers[index] = answer }
                group.leave()
            }
        }

        func wait() -> Bool { group.wait(timeout: .now() + 30) == .success }
        var all: [Int: Answer] { lock.withLock { answers } }
        var seconds: [Double] { all.values.map(\.seconds) }
    }

    @Test func aSubmissionToALockedLedgerNeverWaitsOnTheCallersThread() throws {
        let (_, wrapped, other) = try ledger()
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function))
        try other.execute("BEGIN EXCLUSIVE")
        let answers = Answers()
        let started = Date()
        writer.submit(DurabilityTests.paid(1), completion: answers.completion(1))
        let returnedAfter = Date().timeIntervalSince(started)
        #expect(returnedAfter < Self.busyTimeout / 4, "submit waited \(returnedAfter) s on the lock")
        #expect(answers.wait())
        let answer = try #require(answers.all[1])
        #expect(answer.label == "unavailable")
        #expect(pthread_equal(answer.thread, pthread_self()) == 0, "answered on the caller's thread")
        #expect(answer.seconds >= Self.busyTimeout * 0.9, "the writer's thread did not wait its busy timeout")
        try other.execute("ROLLBACK")
        writer.shutdown()
    }

    /// Submitted while the writer's attempt waits for the lock: all answered
    /// 503 together when it fails, after one busy timeout, not one each.
    @Test func aBusyLedgerFailsEverythingQueuedBehindTheAttempt() throws {
        let (store, wrapped, other) = try ledger()
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function))
        try other.execute("BEGIN EXCLUSIVE")
        let answers = Answers()
        for index in 0..<10 {
            writer.submit(DurabilityTests.paid(index), completion: answers.completion(index))
            usleep(20_000)
        }
        #expect(answers.wait())
        let seconds = answers.seconds
        #expect(answers.all.values.allSatisfy { $0.label == "unavailable" })
        #expect(seconds.max()! < Self.busyTimeout * 1.5, "answered after \(seconds.sorted()) s")
        #expect(seconds.max()! - seconds.min()! < Self.busyTimeout / 2, "answered after \(seconds.sorted()) s")
        try other.execute("ROLLBACK")
        writer.shutdown()
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM notifications") == 0)
    }

    /// Work queued behind a failed attempt is not failed with it: it runs
    /// afterwards, in its place; the submissions around it are answered at
    /// the failure, not after the work.
    @Test func workQueuedBehindAFailedAttemptStillRuns() throws {
        let (_, wrapped, other) = try ledger()
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function))
        try other.execute("BEGIN EXCLUSIVE")
        let answers = Answers()
        writer.submit(DurabilityTests.paid(0), completion: answers.completion(0))
        usleep(50_000)
        let work = Locked<(String, Double)?>(nil)
        let workDone = DispatchSemaphore(value: 0)
        // Work that takes the lock itself waits its own timeout, after the submissions were answered.
        writer.perform({ store in try store.order("O1") }) { result in
            let label = switch result {
            case .success: "ran"
            case .failure(let error): "failed: \(error)"
            }
            work.withLock { $0 = (label, Double(DispatchTime.now().uptimeNanoseconds - answers.start) / 1e9) }
            workDone.signal()
        }
        writer.submit(DurabilityTests.paid(1), completion: answers.completion(1))
        #expect(answers.wait())
        #expect(workDone.wait(timeout: .now() + 30) == .success)
        let all = answers.all
        #expect(all.values.allSatisfy { $0.label == "unavailable" })
        #expect(all.values.allSatisfy { $0.seconds < Self.busyTimeout * 1.5 }, "\(all.values.map(\.seconds))")
        let (label, ranAt) = try #require(work.withLock { $0 })
        #expect(label == "ran", "reads need no write lock")
        #expect(ranAt >= all.values.map(\.seconds).max()!, "the work ran before the failed attempt's answers")
        try other.execute("ROLLBACK")
        writer.shutdown()
    }

    /// Once the lock is released, submissions are recorded again, and at
    /// low load on their caller's thread again.
    @Test func aReleasedLockIsTakenAgainByTheCaller() throws {
        let (store, wrapped, other) = try ledger()
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function))
        try other.execute("BEGIN EXCLUSIVE")
        let locked = Answers()
        writer.submit(DurabilityTests.paid(0), completion: locked.completion(0))
        #expect(locked.wait())
        try other.execute("ROLLBACK")
        usleep(100_000)   // the writer's round ends just after it answered
        let released = Answers()
        writer.submit(DurabilityTests.paid(0), completion: released.completion(0))
        #expect(released.wait())
        let answer = try #require(released.all[0])
        #expect(answer.label == "ship")
        #expect(pthread_equal(answer.thread, pthread_self()) != 0, "not committed on the caller's thread")
        writer.shutdown()
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM shipments") == 1)
    }

    /// A store that says a caller would wait (PostgreSQL while it is not
    /// connected) is recorded on the writer's thread, even at low load.
    @Test func aStoreThatAdmitsNoCallerCommitsIsRecordedOnTheWritersThread() throws {
        let (store, wrapped, _) = try ledger(admitsCallers: false)
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function))
        let answers = Answers()
        writer.submit(DurabilityTests.paid(0), completion: answers.completion(0))
        #expect(answers.wait())
        let answer = try #require(answers.all[0])
        #expect(answer.label == "ship")
        #expect(pthread_equal(answer.thread, pthread_self()) == 0, "committed on the caller's thread")
        writer.shutdown()
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM shipments") == 1)
    }
}
