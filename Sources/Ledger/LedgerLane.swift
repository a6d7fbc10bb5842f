import CLinux
import Foundation
import Logging
import Locking

/// One owner of a ledger write connection, on its own thread (see
/// `LedgerWriter`, which routes work to its lanes).
///
/// Group commit: while one transaction commits (one fsync), new
/// submissions queue up; the writer then takes all of them (up to
/// `maximumBatch`), applies each inside one transaction, commits once, and
/// only then calls every completion with its own outcome. No completion
/// runs before the commit that holds its submission is durable.
///
/// When a store's commits are made durable by a separate barrier (SQLite:
/// an fdatasync of the WAL on the `ledger-sync` thread), the writer keeps
/// the next transaction open while that fsync runs: what arrives meanwhile
/// is applied at once and committed together when the disk is free. One
/// commit per fsync, not one per arrival: fewer pages written and copied by
/// checkpoints for the same notifications, and no more waiting, since
/// nothing committed during an fsync could have been answered before the
/// next one.
///
/// At low load (recent commits held about one submission each) a
/// submission that finds the lane idle (nothing queued, no batch open, no
/// fsync running) is recorded, committed, made durable and answered on the
/// caller's own thread: a quiet shop's notification does not wait for two
/// thread wake-ups (to the writer, and back to the event loop) on top of
/// its fsync. Whatever arrives meanwhile queues for the writer's thread,
/// which takes the store back as soon as the caller has committed. Under
/// load the caller never blocks: an event loop waiting for an fsync could
/// neither read its other connections nor send their answers.
///
/// A ledger whose write lock another process holds (a backup, an
/// operator's open transaction) holds up no caller: the caller's attempt
/// does not wait for the lock (`LedgerRecording.recordWithoutWaiting`,
/// and only while the store `admitsCallerCommits`), and when it is busy
/// the submission goes to the writer's thread, which waits the busy
/// timeout. When that wait fails, what it tried and every submission
/// queued behind it are answered 503 together: each would only wait as
/// long again and fail the same way. Work sent with `perform` keeps its
/// place and runs afterwards.
///
/// Who holds the store, who runs the barrier and who must be woken is
/// decided by `LedgerLaneStateMachine`, under the lane's one lock; the
/// lane performs what it decides, and all I/O happens outside the lock.
final class LedgerLane: @unchecked Sendable {
    typealias Completion = LedgerWriter.Completion
    typealias BatchStatistics = LedgerWriter.BatchStatistics
    typealias Machine = LedgerLaneStateMachine<Pending, Job, Committed>

    /// A submission and how to answer it.
    struct Pending {
        let submission: LedgerSubmission
        let completion: Completion
    }

    /// Work committed and waiting for the durability barrier: how to answer
    /// once it is durable, and how to answer if the barrier fails.
    struct Committed: LedgerLaneCommit, @unchecked Sendable {
        /// The submissions its commit held (0 for work sent with `perform`).
        let submissions: Int
        let answer: () -> Void
        let fail: (String) -> Void
    }

    /// Work sent with `perform`, run by the writer's thread with the store:
    /// what it committed, and why it failed if it did.
    typealias Job = @Sendable (any LedgerStore) -> (Committed, failure: (any Error)?)

    /// Guards `machine`; the writer, the sync thread and `shutdown` wait on it.
    private let lock = LaneLock()
    private var machine: Machine
    private let eventsWrittenHandler = Locked<(@Sendable () -> Void)?>(nil)
    private let store: any LedgerStore
    private let barrier: (@Sendable () throws -> Void)?
    private let name: String
    private let logger: Logger
    private let onBatch: (@Sendable (BatchStatistics) -> Void)?
    private let onDurabilityFailure: (@Sendable (any Error) -> Void)?
    private let onSync: (@Sendable (Double) -> Void)?
    /// Touched only by whoever holds the store.
    private var consecutiveFailures = 0

    /// Takes ownership of `store`: from now on only the lane uses it (its
    /// thread, or the caller that finds it idle, one at a time).
    ///
    /// When the store's commits need a durability barrier, a second thread
    /// runs it and answers; `onDurabilityFailure` is told when it fails
    /// (the answers are then 503, and the daemon should stop: after a
    /// failed fsync nobody can say what is on disk).
    ///
    /// `commitsOnIdleCaller`: a submission to an idle lane is committed on
    /// the submitting thread (see above), which then blocks until it is
    /// durable; off, every submission goes through the writer's thread.
    init(store: any LedgerStore, name: String, maximumBatch: Int, logger: Logger, commitsOnIdleCaller: Bool = true,
         onBatch: (@Sendable (BatchStatistics) -> Void)? = nil,
         onSync: (@Sendable (_ seconds: Double) -> Void)? = nil,
         onDurabilityFailure: (@Sendable (any Error) -> Void)? = nil) {
        self.store = store
        self.logger = logger
        self.onBatch = onBatch
        self.onDurabilityFailure = onDurabilityFailure
        self.onSync = onSync
        self.barrier = store.durabilityBarrier
        self.name = name
        // Asked before the threads start: until then nobody else uses the store.
        machine = Machine(maximumBatch: maximumBatch, commitsOnIdleCaller: commitsOnIdleCaller, hasBarrier: barrier != nil,
                          callerMayCommit: store.admitsCallerCommits)
        let thread = Thread { [self] in self.run() }
        thread.name = name
        thread.start()
        if barrier != nil {
            let syncer = Thread { [self] in self.runSyncer() }
            syncer.name = "ledger-sync"
            syncer.start()
        }
    }

    /// Records a submission: on the calling thread when the lane is idle,
    /// otherwise queued for the writer's thread. `completion` runs after
    /// the commit that holds it is durable (or after the failure), on the
    /// calling thread or on a writer thread, so it must be quick.
    func submit(_ submission: LedgerSubmission, completion: @escaping Completion) {
        let pending = Pending(submission: submission, completion: completion)
        switch withMachine({ $0.submitted(pending) }) {
        case .commitOnCaller: commitOnCaller(pending)
        case .enqueued: break
        case .refuse: completion(.unavailable("the daemon is shutting down"))
        }
    }

    /// Runs `work` on the writer's thread with the store (between batches,
    /// in its own transaction), and calls `completion` with its result once
    /// what it wrote is durable.
    func perform<T: Sendable>(_ work: @escaping @Sendable (any LedgerStore) throws -> T,
                              completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        let job: Job = { store in
            let result = Result { try work(store) }
            let failure: (any Error)? = if case .failure(let error) = result { error } else { nil }
            return (Committed(submissions: 0, answer: { completion(result) },
                              fail: { reason in completion(.failure(LedgerWriterError.notDurable(reason))) }), failure)
        }
        if !withMachine({ $0.workRequested(job) }) {
            completion(.failure(LedgerWriterError.stopped))
        }
    }

    /// Called after a batch that wrote outbox events became durable.
    func onEventsWritten(_ handler: @escaping @Sendable () -> Void) {
        eventsWrittenHandler.withLock { $0 = handler }
    }

    /// Records everything already queued, then stops the threads; returns
    /// once every barrier running (a caller's too) has ended. Blocks.
    func shutdown() {
        guard withMachine({ $0.stopRequested() }) else { return }
        lock.lock()
        while !machine.isFinished {
            machine.shutdownWaits()
            lock.wait(.shutdown)
        }
        lock.unlock()
    }

    /// Applies `event` to the machine under the lock and wakes the threads
    /// it says now have work.
    @inline(__always)
    private func withMachine<Result>(_ event: (inout Machine) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        let result = event(&machine)
        lock.signal(machine.takeWakes())
        return result
    }

    /// The writer's thread: takes what is queued, applies it, commits, and
    /// hands what it committed to the barrier.
    private func run() {
        notifyd_set_thread_name(name)
        var openBatch: OpenBatch?
        while case .take(let taken, let finishing) = nextForWriter() {
            var units: [Committed] = []
            var batch: [Pending] = []
            // Where the round resumes if an attempt finds the write lock unavailable.
            var untried = taken.startIndex
            do throws(WriteLockUnavailable) {
                for (index, item) in taken.enumerated() {
                    switch item {
                    case .submission(let pending):
                        batch.append(pending)
                    case .work(let job):
                        untried = index
                        if !batch.isEmpty { units += try record(batch, into: &openBatch) }
                        batch.removeAll()
                        if let open = openBatch.take() { units.append(try commit(open)) }
                        untried = index + 1
                        let (unit, failure) = job(store)
                        units.append(unit)
                        if let failure, failure.meansWriteLockUnavailable { throw WriteLockUnavailable(error: failure, attempted: []) }
                    }
                }
                untried = taken.endIndex
                if !batch.isEmpty { units += try record(batch, into: &openBatch) }
                // Commit now unless an earlier commit is still being made durable:
                // then the batch grows until the disk is free (or the batch is full).
                if let open = openBatch, withMachine({ $0.mayCommitOpenBatch(size: open.pending.count, finishing: finishing) }) {
                    openBatch = nil
                    units.append(try commit(open))
                }
            } catch {
                answerBehind(error, untried: taken[untried...])
            }
            let openSize = openBatch?.pending.count
            let callerMayCommit = store.admitsCallerCommits
            switch withMachine({ $0.writerFinishedRound(committed: units, openBatchSize: openSize, callerMayCommit: callerMayCommit) }) {
            case .none, .handedToSyncer:
                break
            case .answer:
                for unit in units { unit.answer() }
            case .runBarrier:
                makeDurableAndAnswer(units)
                withMachine { $0.barrierEnded(by: .writer) }
            }
        }
    }

    private func nextForWriter() -> Machine.WriterAction {
        lock.lock()
        defer { lock.unlock() }
        while true {
            let action = machine.writerNext()
            lock.signal(machine.takeWakes())
            guard case .wait = action else { return action }
            lock.wait(.writer)
        }
    }

    /// An attempt waited for the write lock and did not get it: nothing it
    /// tried was written.
    private struct WriteLockUnavailable: Error {
        let error: any Error
        /// The submissions it tried to record.
        let attempted: [Pending]
    }

    /// Answers 503 at once what a failed attempt tried and every submission
    /// queued behind it (what the round had not tried yet, and what waits
    /// in the queue): each would wait the same timeout and fail alike.
    /// Work goes back to the head of the queue and runs next.
    private func answerBehind(_ failure: WriteLockUnavailable, untried: ArraySlice<Machine.Queued>) {
        let queued = withMachine { $0.writeLockUnavailable(returning: untried) }
        let count = failure.attempted.count + queued.count
        noteFailure(failure.error, submissions: count,
                    "the ledger's write lock is held elsewhere; answering fail (503) to everything queued at once so Alipay retries")
        let outcome = LedgerOutcome.unavailable("\(failure.error)")
        for pending in failure.attempted { pending.completion(outcome) }
        for pending in queued { pending.completion(outcome) }
    }

    /// Records, commits and makes durable one submission on the caller's
    /// thread, which holds the store until it has committed: the writer's
    /// thread may then apply what arrived meanwhile in a transaction it
    /// keeps open while this fsync runs. The caller never waits for the
    /// write lock: when another process holds it, the submission goes to
    /// the writer's thread, which waits (its busy timeout) instead of an
    /// event loop.
    private func commitOnCaller(_ pending: Pending) {
        let started = DispatchTime.now().uptimeNanoseconds
        let outcomes: [LedgerOutcome]
        do {
            guard let recorded = try store.recordWithoutWaiting([pending.submission]) else {
                let callerMayCommit = store.admitsCallerCommits
                withMachine { $0.callerFoundWriteLockBusy(pending, callerMayCommit: callerMayCommit) }
                return
            }
            outcomes = recorded
            succeeded()
        } catch {
            noteFailure(error, submissions: 1)
            outcomes = [.unavailable("\(error)")]
        }
        let unit = committed([pending], outcomes, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        let callerMayCommit = store.admitsCallerCommits
        switch withMachine({ $0.callerCommitted(unit, callerMayCommit: callerMayCommit) }) {
        case .runBarrier:
            makeDurableAndAnswer([unit])
            withMachine { $0.barrierEnded(by: .caller) }
        case .answer, .none, .handedToSyncer:
            unit.answer()
        }
    }

    /// Submissions applied in a transaction still open, with their outcomes.
    private final class OpenBatch {
        let transaction: any OpenLedgerBatch
        var pending: [Pending] = []
        var outcomes: [LedgerOutcome] = []
        /// Time spent applying and committing (not waiting for the disk).
        var busyNanoseconds: UInt64 = 0

        init(_ transaction: any OpenLedgerBatch) {
            self.transaction = transaction
        }

        func timed<T>(_ body: () throws -> T) rethrows -> T {
            let started = DispatchTime.now().uptimeNanoseconds
            defer { busyNanoseconds += DispatchTime.now().uptimeNanoseconds - started }
            return try body()
        }
    }

    /// Applies `batch` in the open transaction (opening one if the store
    /// keeps batches open while it syncs); otherwise, or when applying
    /// fails, records and commits it (and what the failed transaction held)
    /// the whole-batch way, whose fallbacks isolate a bad submission.
    private func record(_ batch: [Pending], into openBatch: inout OpenBatch?) throws(WriteLockUnavailable) -> [Committed] {
        if openBatch == nil, barrier != nil {
            do {
                if let transaction = try store.beginBatch() { openBatch = OpenBatch(transaction) }
            } catch where error.meansWriteLockUnavailable {
                throw WriteLockUnavailable(error: error, attempted: batch)
            } catch {
                // Recorded the whole-batch way below, which fails or not on its own and says why.
            }
        }
        guard let open = openBatch else { return [try recordAndCommit(batch)] }
        do {
            open.outcomes += try open.timed { try open.transaction.record(batch.map(\.submission)) }
            open.pending += batch
            return []
        } catch {
            open.transaction.rollback()
            openBatch = nil
            return [try recordAndCommit(open.pending + batch)]
        }
    }

    /// Commits an open batch; if the commit fails, its submissions are
    /// recorded again the whole-batch way.
    private func commit(_ batch: OpenBatch) throws(WriteLockUnavailable) -> Committed {
        do {
            try batch.timed { try batch.transaction.commit() }
        } catch {
            batch.transaction.rollback()
            return try recordAndCommit(batch.pending)
        }
        succeeded()
        return committed(batch.pending, batch.outcomes, seconds: Double(batch.busyNanoseconds) / 1e9)
    }

    private func recordAndCommit(_ batch: [Pending]) throws(WriteLockUnavailable) -> Committed {
        let started = DispatchTime.now().uptimeNanoseconds
        let outcomes: [LedgerOutcome]
        do {
            outcomes = try store.record(batch.map(\.submission))
            succeeded()
        } catch where error.meansWriteLockUnavailable {
            throw WriteLockUnavailable(error: error, attempted: batch)
        } catch {
            noteFailure(error, submissions: batch.count)
            let reason = "\(error)"
            outcomes = Array(repeating: .unavailable(reason), count: batch.count)
        }
        return committed(batch, outcomes, seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// Logs the first failure and then every hundredth, not every request.
    private func noteFailure(_ error: any Error, submissions: Int,
                             _ message: @autoclosure () -> String = "ledger transaction failed; answering fail (503) so Alipay retries") {
        consecutiveFailures += 1
        if consecutiveFailures == 1 || consecutiveFailures % 100 == 0 {
            logger.error("\(message()): \(error)",
                         metadata: ["batch": "\(submissions)", "consecutive_failures": "\(consecutiveFailures)"])
        }
    }

    private func succeeded() {
        if consecutiveFailures > 0 {
            logger.notice("ledger writable again after \(consecutiveFailures) failed transaction(s)")
            consecutiveFailures = 0
        }
    }

    /// How to answer a committed batch once it is durable.
    private func committed(_ batch: [Pending], _ outcomes: [LedgerOutcome], seconds: Double) -> Committed {
        onBatch?(BatchStatistics(size: batch.count, commitSeconds: seconds))
        let wroteEvents = outcomes.contains { if case .recorded(let decision) = $0 { return !decision.events.isEmpty } else { return false } }
        let handler = wroteEvents ? eventsWrittenHandler.withLock { $0 } : nil
        return Committed(
            submissions: batch.count,
            answer: {
                Self.answer(batch, outcomes)
                handler?()
            },
            fail: { reason in Self.answer(batch, Array(repeating: .unavailable(reason), count: batch.count)) }
        )
    }

    private static func answer(_ batch: [Pending], _ outcomes: [LedgerOutcome]) {
        for (pending, outcome) in zip(batch, outcomes) {
            pending.completion(outcome)
        }
    }

    /// The sync thread: one barrier covers every batch committed before it.
    private func runSyncer() {
        notifyd_set_thread_name("ledger-sync")
        while case .runBarrier(let units) = nextForSyncer() {
            makeDurableAndAnswer(units)
            withMachine { $0.barrierEnded(by: .syncer) }
        }
    }

    private func nextForSyncer() -> Machine.SyncerAction {
        lock.lock()
        defer { lock.unlock() }
        while true {
            let action = machine.syncerNext()
            lock.signal(machine.takeWakes())
            guard case .wait = action else { return action }
            lock.wait(.syncer)
        }
    }

    /// Runs the barrier (one fsync for all of `ready`), then answers.
    private func makeDurableAndAnswer(_ ready: [Committed]) {
        guard let barrier else { return }
        do {
            let started = DispatchTime.now().uptimeNanoseconds
            try barrier()
            onSync?(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            for item in ready { item.answer() }
        } catch {
            logger.critical("the ledger could not make committed notifications durable: \(error)")
            for item in ready { item.fail("\(error)") }
            onDurabilityFailure?(error)
        }
    }
}
