import AlipayNotify
import Foundation
import Logging

/// The ledger's single way in while the daemon runs: notifications,
/// gateway answers and every other write (`perform`) go through it, and
/// nobody else holds a write connection.
///
/// It has one lane (a thread owning one connection, see `LedgerLane`) per
/// store it was given. SQLite has one writer by design: one lane. A
/// PostgreSQL ledger can take more: one batch's statements run while
/// another's commit waits for PostgreSQL's WAL flush. Submissions go to a
/// lane by their `out_trade_no`, so one trade's notifications keep their
/// order in one lane; what two lanes share (a business order's serials) is
/// serialized by the same advisory locks that serialize several daemons.
/// `perform` runs on the first lane.
public final class LedgerWriter: @unchecked Sendable {
    public typealias Completion = @Sendable (LedgerOutcome) -> Void

    /// Statistics of the last batches, for metrics.
    public struct BatchStatistics: Sendable {
        public let size: Int
        public let commitSeconds: Double
    }

    private let lanes: [LedgerLane]

    /// Takes ownership of `store` (and of `additionalStores`, one more lane
    /// each): from now on only the lanes use them (their threads, or a
    /// caller that finds its lane idle).
    ///
    /// When the store's commits need a durability barrier, a second thread
    /// runs it and answers; `onDurabilityFailure` is told when it fails
    /// (the answers are then 503, and the daemon should stop: after a
    /// failed fsync nobody can say what is on disk).
    ///
    /// `commitsOnIdleCaller`: a submission that finds its lane idle is
    /// committed and answered on the submitting thread (which blocks until
    /// it is durable), saving two thread wake-ups at low load, while the
    /// store admits it (`LedgerRecording.admitsCallerCommits`); it never
    /// waits there for a write lock held elsewhere.
    public init(store: any LedgerStore, additionalStores: [any LedgerStore] = [], maximumBatch: Int = 512, logger: Logger,
                commitsOnIdleCaller: Bool = true,
                onBatch: (@Sendable (BatchStatistics) -> Void)? = nil,
                onSync: (@Sendable (_ seconds: Double) -> Void)? = nil,
                onDurabilityFailure: (@Sendable (any Error) -> Void)? = nil) {
        lanes = ([store] + additionalStores).enumerated().map { index, store in
            LedgerLane(store: store, name: index == 0 ? "ledger-writer" : "ledger-writer\(index)", maximumBatch: maximumBatch,
                       logger: logger, commitsOnIdleCaller: commitsOnIdleCaller, onBatch: onBatch, onSync: onSync, onDurabilityFailure: onDurabilityFailure)
        }
    }

    /// The number of lanes (write connections).
    public var laneCount: Int { lanes.count }

    /// Records a submission: on the calling thread when its lane is idle,
    /// otherwise queued for the lane's thread. `completion` runs after the
    /// commit that holds it is durable (or after the failure), on either
    /// thread, so it must be quick.
    public func submit(_ submission: LedgerSubmission, completion: @escaping Completion) {
        lanes[lane(of: submission)].submit(submission, completion: completion)
    }

    /// One trade's submissions always take the same lane.
    func lane(of submission: LedgerSubmission) -> Int {
        guard lanes.count > 1, case .observation(let accepted) = submission else { return 0 }
        return Int(StableHash.fnv1a(accepted.observation.outTradeNo.utf8) % UInt64(lanes.count))
    }

    /// Runs `work` on the first lane's thread with its store (between
    /// batches, in its own transaction), and calls `completion` with its
    /// result once what it wrote is durable.
    public func perform<T: Sendable>(_ work: @escaping @Sendable (any LedgerStore) throws -> T,
                                     completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        lanes[0].perform(work, completion: completion)
    }

    /// `perform`, waiting for the result (for threads that may block).
    @discardableResult
    public func performAndWait<T: Sendable>(_ work: @escaping @Sendable (any LedgerStore) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        perform(work) { result in
            box.result = result
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    /// Called after a batch that wrote outbox events became durable.
    public func onEventsWritten(_ handler: @escaping @Sendable () -> Void) {
        for lane in lanes { lane.onEventsWritten(handler) }
    }

    /// Records everything already queued, then stops the threads. Blocks.
    public func shutdown() {
        for lane in lanes { lane.shutdown() }
    }
}

/// Why work sent to the writer got no result.
public enum LedgerWriterError: Error, CustomStringConvertible {
    case stopped
    case notDurable(String)

    public var description: String {
        switch self {
        case .stopped: return "the ledger writer has stopped"
        case .notDurable(let reason): return "committed but not made durable: \(reason)"
        }
    }
}

/// A result handed from the writer's thread to a waiting one.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
