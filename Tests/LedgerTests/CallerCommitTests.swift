import AlipayNotify
import Dispatch
import Foundation
@testable import Ledger
@testable import SQLiteLedger
import Locking
import Logging
import Testing
import TestSupport

/// A submission that finds its lane idle is recorded, committed, made
/// durable and answered on the submitting thread (no wake-up of the writer,
/// none back); what arrives meanwhile goes through the writer's thread.
@Suite struct CallerCommitTests {
    typealias BarrierStore = DurabilityTests.FailingBarrierStore
    let directory = TemporaryDirectory("caller-commit")

    /// What one answer saw: the thread it ran on, and how many fsyncs had started.
    struct Answer: Sendable {
        let label: String
        let thread: pthread_t
        let fsyncsStarted: Int
    }

    func store(slowSync: Double = 0, fail: Bool = false) throws -> (SQLiteLedgerStore, BarrierStore) {
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"), explicitSync: true)
        return (store, BarrierStore(store, fail: fail, openBatches: true, slowSync: slowSync))
    }

    @Test func anIdleLaneAnswersOnTheCallersThreadAfterTheFsync() throws {
        let (store, wrapped) = try store()
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function))
        let answer = Locked<Answer?>(nil)
        let fsyncs = wrapped.barrierCalls
        writer.submit(DurabilityTests.paid(1)) { outcome in
            answer.withLock { $0 = Answer(label: outcome.label, thread: pthread_self(), fsyncsStarted: fsyncs.count) }
        }
        // Answered before `submit` returned, on this thread, once its fsync had run.
        let seen = try #require(answer.withLock { $0 })
        #expect(pthread_equal(seen.thread, pthread_self()) != 0)
        #expect(seen.label == "ship")
        #expect(seen.fsyncsStarted == 1)
        writer.shutdown()
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM shipments") == 1)
    }

    @Test func aFailedFsyncOnTheCallersThreadAnswers503() throws {
        let (_, wrapped) = try store(fail: true)
        let reported = Locked(0)
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function),
                                  onDurabilityFailure: { _ in reported.withLock { $0 += 1 } })
        let label = Locked<String?>(nil)
        writer.submit(DurabilityTests.paid(1)) { outcome in label.withLock { $0 = outcome.label } }
        #expect(label.withLock { $0 } == "unavailable")
        #expect(reported.withLock { $0 } == 1)
        writer.shutdown()
    }

    /// While a caller's fsync runs, the lane is not idle: ten arrivals are
    /// queued for the writer's thread, applied in one open transaction and
    /// committed after that fsync, together, and answered after their own.
    @Test func whatArrivesDuringACallersFsyncIsCommittedTogetherByTheWriter() throws {
        let (store, wrapped) = try store(slowSync: 0.3)
        let batches = Locked<[Int]>([])
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function),
                                  onBatch: { batch in batches.withLock { $0.append(batch.size) } })
        let answers = Locked<[Int: Answer]>([:])
        let group = DispatchGroup()
        let fsyncs = wrapped.barrierCalls
        @Sendable func submit(_ index: Int) {
            group.enter()
            writer.submit(DurabilityTests.paid(index)) { outcome in
                let answer = Answer(label: outcome.label, thread: pthread_self(), fsyncsStarted: fsyncs.count)
                answers.withLock { $0[index] = answer }
                group.leave()
            }
        }
        let callerThread = Locked<pthread_t?>(nil)
        let caller = Thread {
            callerThread.withLock { $0 = pthread_self() }
            submit(0)
        }
        caller.start()
        let deadline = Date().addingTimeInterval(10)
        while wrapped.barrierCalls.count == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
        #expect(wrapped.barrierCalls.count == 1, "the caller's fsync did not start")
        for index in 1...10 { submit(index) }
        #expect(group.wait(timeout: .now() + 30) == .success)
        writer.shutdown()

        let all = answers.withLock { $0 }
        #expect(all.values.map(\.label) == Array(repeating: "ship", count: 11))
        let first = try #require(all[0])
        #expect(pthread_equal(first.thread, try #require(callerThread.withLock { $0 })) != 0)
        #expect(first.fsyncsStarted == 1)
        for index in 1...10 {
            let answer = try #require(all[index])
            #expect(pthread_equal(answer.thread, first.thread) == 0)
            #expect(pthread_equal(answer.thread, pthread_self()) == 0)
            #expect(answer.fsyncsStarted == 2, "answered before its own fsync")
        }
        // One commit by the caller, one by the writer for all ten: nothing committed while the caller's fsync ran.
        #expect(batches.withLock { $0 } == [1, 10])
        #expect(wrapped.barrierCalls.count == 2)
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM shipments") == 11)
    }

    /// Work the writer commits while a caller's fsync runs (a job of the
    /// outbox or the reconciler) waits for that fsync to end before its own:
    /// one barrier at a time, as the store's barrier requires.
    @Test func workCommittedDuringACallersFsyncIsSyncedAfterIt() throws {
        let (store, wrapped) = try store(slowSync: 0.3)
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function))
        let caller = Thread { writer.submit(DurabilityTests.paid(1)) { _ in } }
        caller.start()
        let deadline = Date().addingTimeInterval(10)
        while wrapped.barrierCalls.count == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
        #expect(try writer.performAndWait { _ in "done" } == "done")
        #expect(wrapped.barrierCalls.count == 2)
        #expect(wrapped.overlap.highest == 1, "two fsyncs ran at once")
        writer.shutdown()
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM shipments") == 1)
    }

    /// Shutting down while a caller waits for its fsync returns only after
    /// that caller has been answered.
    @Test func shutdownWaitsForACallersFsync() throws {
        let (store, wrapped) = try store(slowSync: 0.3)
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function))
        let label = Locked<String?>(nil)
        let caller = Thread {
            writer.submit(DurabilityTests.paid(1)) { outcome in
                Thread.sleep(forTimeInterval: 0.05)
                label.withLock { $0 = outcome.label }
            }
        }
        caller.start()
        let deadline = Date().addingTimeInterval(10)
        while wrapped.barrierCalls.count == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
        writer.shutdown()
        #expect(label.withLock { $0 } == "ship")
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM shipments") == 1)
    }

    /// Off, every submission goes through the writer's thread.
    @Test func withoutCallerCommitsTheWriterThreadAnswers() throws {
        let (_, wrapped) = try store()
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function), commitsOnIdleCaller: false)
        let answered = DispatchSemaphore(value: 0)
        let thread = Locked<pthread_t?>(nil)
        writer.submit(DurabilityTests.paid(1)) { _ in
            thread.withLock { $0 = pthread_self() }
            answered.signal()
        }
        #expect(answered.wait(timeout: .now() + 10) == .success)
        #expect(pthread_equal(try #require(thread.withLock { $0 }), pthread_self()) == 0)
        writer.shutdown()
    }
}
