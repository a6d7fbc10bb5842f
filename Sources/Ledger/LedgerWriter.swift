import CLinux
import Foundation
import Logging

/// The single owner of the ledger's write connection, on its own thread.
///
/// Group commit: while one transaction commits (one fsync), new
/// submissions queue up; the writer then takes all of them (up to
/// `maximumBatch`), applies each in its own savepoint inside one
/// transaction, commits once, and only then calls every completion with
/// its own outcome. No completion runs before the commit that holds its
/// submission has returned.
public final class LedgerWriter: @unchecked Sendable {
    public typealias Completion = @Sendable (LedgerOutcome) -> Void

    /// Statistics of the last batches, for metrics.
    public struct BatchStatistics: Sendable {
        public let size: Int
        public let commitSeconds: Double
    }

    private struct Pending {
        let submission: LedgerSubmission
        let completion: Completion
    }

    /// Committed batches waiting for the durability barrier.
    private struct Committed {
        let batch: [Pending]
        let outcomes: [LedgerOutcome]
    }

    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var stopping = false
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)
    private let store: any LedgerStore
    private let policy: LedgerPolicy
    private let maximumBatch: Int
    private let logger: Logger
    private let onBatch: (@Sendable (BatchStatistics) -> Void)?
    private let onDurabilityFailure: (@Sendable (any Error) -> Void)?
    private var consecutiveFailures = 0

    // The syncer: makes committed batches durable, then answers them.
    private let barrier: (@Sendable () throws -> Void)?
    private let syncCondition = NSCondition()
    private var committed: [Committed] = []
    private var syncerStopping = false
    private var syncerBusy = false
    private let syncerFinished = DispatchSemaphore(value: 0)

    /// Takes ownership of `store`: from now on only the writer's thread uses it.
    ///
    /// When the store's commits need a durability barrier, a second thread
    /// runs it and answers; `onDurabilityFailure` is told when it fails
    /// (the answers are then 503, and the daemon should stop: after a
    /// failed fsync nobody can say what is on disk).
    public init(store: any LedgerStore, policy: LedgerPolicy, maximumBatch: Int = 512, logger: Logger,
                onBatch: (@Sendable (BatchStatistics) -> Void)? = nil,
                onDurabilityFailure: (@Sendable (any Error) -> Void)? = nil) {
        self.store = store
        self.policy = policy
        self.maximumBatch = maximumBatch
        self.logger = logger
        self.onBatch = onBatch
        self.onDurabilityFailure = onDurabilityFailure
        self.barrier = store.durabilityBarrier
        let thread = Thread { [self] in self.run() }
        thread.name = "ledger-writer"
        thread.start()
        if barrier != nil {
            let syncer = Thread { [self] in self.runSyncer() }
            syncer.name = "ledger-sync"
            syncer.start()
        } else {
            syncerFinished.signal()
        }
    }

    /// Queues a submission; `completion` runs on the writer thread after
    /// the commit (or the failure), so it must be quick.
    public func submit(_ submission: LedgerSubmission, completion: @escaping Completion) {
        condition.lock()
        if stopping {
            condition.unlock()
            completion(.unavailable("the daemon is shutting down"))
            return
        }
        queue.append(Pending(submission: submission, completion: completion))
        if queue.count == 1 { condition.signal() }
        condition.unlock()
    }

    /// Submissions waiting for the next transaction.
    public var queueLength: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Records everything already queued, then stops the thread. Blocks.
    public func shutdown() {
        condition.lock()
        let alreadyStopping = stopping
        stopping = true
        condition.signal()
        condition.unlock()
        if !alreadyStopping {
            finished.wait()
            syncCondition.lock()
            syncerStopping = true
            syncCondition.signal()
            syncCondition.unlock()
            syncerFinished.wait()
        }
    }

    private func run() {
        notifyd_set_thread_name("ledger-writer")
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping {
                condition.unlock()
                break
            }
            let count = min(queue.count, maximumBatch)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            condition.unlock()
            commit(batch)
        }
        finished.signal()
    }

    private func commit(_ batch: [Pending]) {
        let started = DispatchTime.now().uptimeNanoseconds
        let outcomes: [LedgerOutcome]
        do {
            outcomes = try store.record(batch.map(\.submission), policy: policy)
            if consecutiveFailures > 0 {
                logger.notice("ledger writable again after \(consecutiveFailures) failed transaction(s)")
                consecutiveFailures = 0
            }
        } catch {
            consecutiveFailures += 1
            // Log the first failure and then every hundredth, not every request.
            if consecutiveFailures == 1 || consecutiveFailures % 100 == 0 {
                logger.error("ledger transaction failed; answering fail (503) so Alipay retries: \(error)",
                             metadata: ["batch": "\(batch.count)", "consecutive_failures": "\(consecutiveFailures)"])
            }
            let reason = "\(error)"
            outcomes = Array(repeating: .unavailable(reason), count: batch.count)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        onBatch?(BatchStatistics(size: batch.count, commitSeconds: seconds))
        guard barrier != nil else {
            Self.answer(batch, outcomes)
            return
        }
        // Nothing waiting and the syncer idle: nothing could overlap with the
        // fsync, so run it here and save a thread wake-up (it matters at low load).
        condition.lock()
        let nothingQueued = queue.isEmpty
        condition.unlock()
        syncCondition.lock()
        if nothingQueued && !syncerBusy && committed.isEmpty {
            syncCondition.unlock()
            makeDurableAndAnswer([Committed(batch: batch, outcomes: outcomes)])
            return
        }
        committed.append(Committed(batch: batch, outcomes: outcomes))
        if committed.count == 1 { syncCondition.signal() }
        syncCondition.unlock()
    }

    private static func answer(_ batch: [Pending], _ outcomes: [LedgerOutcome]) {
        for (pending, outcome) in zip(batch, outcomes) {
            pending.completion(outcome)
        }
    }

    /// Group fsync: one barrier covers every batch committed before it.
    private func runSyncer() {
        notifyd_set_thread_name("ledger-sync")
        while true {
            syncCondition.lock()
            while committed.isEmpty && !syncerStopping { syncCondition.wait() }
            if committed.isEmpty && syncerStopping {
                syncCondition.unlock()
                break
            }
            let ready = committed
            committed.removeAll(keepingCapacity: true)
            syncerBusy = true
            syncCondition.unlock()
            makeDurableAndAnswer(ready)
            syncCondition.lock()
            syncerBusy = false
            syncCondition.unlock()
        }
        syncerFinished.signal()
    }

    /// Runs the barrier (one fsync for all of `ready`), then answers.
    private func makeDurableAndAnswer(_ ready: [Committed]) {
        guard let barrier else { return }
        do {
            try barrier()
            for item in ready { Self.answer(item.batch, item.outcomes) }
        } catch {
            logger.critical("the ledger could not make committed notifications durable: \(error)")
            for item in ready {
                Self.answer(item.batch, Array(repeating: .unavailable("\(error)"), count: item.batch.count))
            }
            onDurabilityFailure?(error)
        }
    }
}
