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
    private var consecutiveFailures = 0

    /// Takes ownership of `store`: from now on only the writer's thread uses it.
    public init(store: any LedgerStore, policy: LedgerPolicy, maximumBatch: Int = 512, logger: Logger,
                onBatch: (@Sendable (BatchStatistics) -> Void)? = nil) {
        self.store = store
        self.policy = policy
        self.maximumBatch = maximumBatch
        self.logger = logger
        self.onBatch = onBatch
        let thread = Thread { [self] in self.run() }
        thread.name = "ledger-writer"
        thread.start()
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
        if !alreadyStopping { finished.wait() }
    }

    private func run() {
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
        for (pending, outcome) in zip(batch, outcomes) {
            pending.completion(outcome)
        }
    }
}
