/// The hand-over decisions of a `LedgerLane`, kept apart from its threads,
/// its store and its lock.
///
/// Three parties use one store and one durability barrier: the writer's
/// thread, the sync thread, and a caller that finds the lane idle and
/// commits on its own thread. Each tells the machine what happened (an
/// event) and is told what to do (an action); the lane performs the
/// actions, mutating the machine only under its one lock. Who must be
/// woken is asked once after every event (`takeWakes`), so no event can
/// forget to wake a thread that now has work, and none wakes a thread
/// that has none. No I/O, no locks, no clock: every rule is tested alone.
///
/// The rules (see `LedgerLane` for why):
/// - one holder of the store at a time: nobody, the writer, or a caller;
/// - a submission commits on its caller only when the lane is idle (nothing
///   queued, nobody holding the store, no barrier running or owed), at low
///   load (recent commits held `callerCommitLoad` submissions or fewer),
///   and while the store says a caller may commit without waiting; a
///   caller that finds the write lock busy all the same hands its
///   submission to the writer, first in the queue;
/// - the writer takes what is queued, up to `maximumBatch` with what its
///   open batch holds; an open batch commits when no barrier runs or is
///   owed, when it is full, or when the lane stops;
/// - one barrier at a time: the writer runs it itself when nothing else
///   waits, otherwise the sync thread runs one for everything committed;
/// - when an attempt to take the write lock fails after waiting for it,
///   every submission queued behind it fails with it, at once (work keeps
///   its place);
/// - stopping refuses what comes after, records everything queued first,
///   and is finished when the writer, the sync thread and every barrier
///   are done.
///
/// `Submission` and `Work` are what is queued; `Unit` is work committed and
/// owed a barrier.
struct LedgerLaneStateMachine<Submission, Work, Unit: LedgerLaneCommit> {
    /// Up to this average batch size, an idle lane commits on its caller.
    static var callerCommitLoad: Double { 1.5 }

    /// Who uses the store now.
    enum Holder: Equatable {
        case nobody
        case writer
        case caller
    }

    /// Who runs the durability barrier now.
    enum BarrierRunner: Equatable {
        case writer
        case syncer
        case caller
    }

    /// What waits for the writer's thread, in order.
    enum Queued {
        case submission(Submission)
        case work(Work)
    }

    typealias Wakes = LaneWakes

    /// What becomes of a submission.
    enum SubmitAction: Equatable {
        /// Record, commit and make durable on the calling thread, which now holds the store.
        case commitOnCaller
        /// Queued for the writer's thread.
        case enqueued
        /// The lane is stopping: answer 503.
        case refuse
    }

    /// What the writer's thread does next.
    enum WriterAction {
        /// Wait on the writer's condition, then ask again.
        case wait
        /// Apply `taken` (possibly nothing: then only the open batch may
        /// commit); `finishing`: the lane stops, so commit at the end.
        case take(_ taken: [Queued], finishing: Bool)
        /// Everything queued is recorded: the thread ends.
        case exit
    }

    /// What becomes of what a writer's round or a caller committed.
    enum DurabilityAction: Equatable {
        /// Nothing was committed.
        case none
        /// Durable already (the store has no barrier): answer now.
        case answer
        /// Run the barrier on this thread, answer, then `barrierEnded`.
        case runBarrier
        /// Owed a barrier that the sync thread runs.
        case handedToSyncer
    }

    /// What the sync thread does next.
    enum SyncerAction {
        case wait
        /// Run the barrier for `units`, answer them, then `barrierEnded(by: .syncer)`.
        case runBarrier(_ units: [Unit])
        case exit
    }

    let maximumBatch: Int
    let commitsOnIdleCaller: Bool
    /// The store's commits are durable only after a barrier.
    let hasBarrier: Bool

    private(set) var holder = Holder.nobody
    /// Submissions the writer keeps in a transaction still open, or nil.
    private(set) var openBatchSize: Int?
    private(set) var barrier: BarrierRunner?
    /// Committed, waiting for the sync thread's barrier.
    private(set) var committed: [Unit] = []
    private(set) var queue: [Queued] = []
    private(set) var stopping = false
    /// Submissions per commit, a moving average: about 1 at low load.
    private(set) var averageBatch = 1.0
    /// The store's last word (`LedgerRecording.admitsCallerCommits`),
    /// given by whoever held it last.
    private(set) var callerMayCommit: Bool
    private(set) var writerExited = false
    private(set) var syncerExited: Bool
    private var writerWaiting = false
    private var syncerWaiting = false
    private var shutdownWaiting = false

    init(maximumBatch: Int, commitsOnIdleCaller: Bool, hasBarrier: Bool, callerMayCommit: Bool) {
        self.maximumBatch = maximumBatch
        self.commitsOnIdleCaller = commitsOnIdleCaller
        self.hasBarrier = hasBarrier
        self.callerMayCommit = callerMayCommit
        syncerExited = !hasBarrier   // without a barrier there is no sync thread
    }

    // MARK: - Questions

    /// A barrier runs, or committed work waits for one.
    var isSyncing: Bool {
        hasBarrier && (barrier != nil || !committed.isEmpty)
    }

    /// The writer, the sync thread and every barrier are done.
    var isFinished: Bool {
        writerExited && syncerExited && barrier == nil
    }

    private var writerHasWork: Bool {
        guard holder != .caller else { return false }   // its release is the writer's turn
        return !queue.isEmpty || stopping || (openBatchSize != nil && !isSyncing)
    }

    private var syncerHasWork: Bool {
        barrier == nil && (!committed.isEmpty || writerExited)
    }

    // MARK: - Submissions and work

    /// A submission arrives.
    mutating func submitted(_ submission: Submission) -> SubmitAction {
        if stopping { return .refuse }
        if commitsOnIdleCaller && callerMayCommit && averageBatch <= Self.callerCommitLoad && queue.isEmpty
            && holder == .nobody && !isSyncing {
            holder = .caller
            return .commitOnCaller
        }
        queue.append(.submission(submission))
        return .enqueued
    }

    /// Work for the writer's thread arrives; false when the lane is stopping.
    mutating func workRequested(_ work: Work) -> Bool {
        if stopping { return false }
        queue.append(.work(work))
        return true
    }

    // MARK: - The writer's thread

    /// The writer asks what to do.
    mutating func writerNext() -> WriterAction {
        guard writerHasWork else {
            writerWaiting = true
            return .wait
        }
        if queue.isEmpty && stopping && openBatchSize == nil {
            writerExited = true
            return .exit
        }
        holder = .writer
        let count = max(0, min(queue.count, maximumBatch - (openBatchSize ?? 0)))
        let taken = Array(queue.prefix(count))
        queue.removeFirst(count)
        return .take(taken, finishing: stopping)
    }

    /// The writer applied what it took into its open batch of `size`: may
    /// it commit now? Only when the disk is free (committing during an
    /// fsync would make one commit per arrival), the batch full, or the
    /// lane stopping.
    func mayCommitOpenBatch(size: Int, finishing: Bool) -> Bool {
        finishing || size >= maximumBatch || !isSyncing
    }

    /// The writer's round committed `units` and keeps `openBatchSize`
    /// submissions open (nil: none); it holds the store as long as a batch
    /// is open, and while it runs a barrier itself.
    mutating func writerFinishedRound(committed units: [Unit], openBatchSize: Int?, callerMayCommit: Bool) -> DurabilityAction {
        self.openBatchSize = openBatchSize
        self.callerMayCommit = callerMayCommit
        averageIn(units)
        let action: DurabilityAction
        if units.isEmpty {
            action = .none
        } else if !hasBarrier {
            action = .answer
        } else if queue.isEmpty && barrier == nil && committed.isEmpty {
            // Nothing could overlap with this fsync: run it here and save a wake-up.
            barrier = .writer
            return .runBarrier
        } else {
            committed.append(contentsOf: units)
            action = .handedToSyncer
        }
        holder = openBatchSize == nil ? .nobody : .writer
        return action
    }

    /// An attempt to take the write lock failed after waiting for it (the
    /// busy timeout, a reconnect). What the writer had taken but not tried
    /// (`rest`) goes back to the head of the queue; then every submission
    /// queued fails now (returned, in order), since each would wait as
    /// long and fail the same way. Work keeps its place and runs next.
    mutating func writeLockUnavailable(returning rest: ArraySlice<Queued>) -> [Submission] {
        queue.insert(contentsOf: rest, at: 0)
        var failed: [Submission] = []
        queue.removeAll { queued in
            guard case .submission(let submission) = queued else { return false }
            failed.append(submission)
            return true
        }
        return failed
    }

    // MARK: - A caller on its own thread

    /// The caller that holds the store committed `unit`.
    mutating func callerCommitted(_ unit: Unit, callerMayCommit: Bool) -> DurabilityAction {
        precondition(holder == .caller && barrier == nil && committed.isEmpty, "a caller committed on a lane that was not idle")
        holder = .nobody
        self.callerMayCommit = callerMayCommit
        averageIn(CollectionOfOne(unit))
        guard hasBarrier else { return .answer }
        barrier = .caller
        return .runBarrier
    }

    /// The caller that holds the store could not take the write lock
    /// without waiting: its submission goes first in the writer's queue,
    /// ahead of what arrived while it tried, and the writer waits instead.
    mutating func callerFoundWriteLockBusy(_ submission: Submission, callerMayCommit: Bool) {
        precondition(holder == .caller, "a caller handed over a store it did not hold")
        holder = .nobody
        self.callerMayCommit = callerMayCommit
        queue.insert(.submission(submission), at: 0)
    }

    // MARK: - The barrier and the sync thread

    /// The sync thread asks what to do.
    mutating func syncerNext() -> SyncerAction {
        if barrier == nil && !committed.isEmpty {
            barrier = .syncer
            let units = committed
            committed.removeAll(keepingCapacity: true)
            return .runBarrier(units)
        }
        if barrier == nil && writerExited {
            syncerExited = true
            return .exit
        }
        syncerWaiting = true
        return .wait
    }

    /// A barrier ended and what it covered was answered.
    mutating func barrierEnded(by runner: BarrierRunner) {
        precondition(barrier == runner, "a barrier ended that \(runner) was not running")
        barrier = nil
        if runner == .writer { holder = openBatchSize == nil ? .nobody : .writer }
    }

    // MARK: - Stopping

    /// Shutdown was asked for; false when it was asked before.
    mutating func stopRequested() -> Bool {
        defer { stopping = true }
        return !stopping
    }

    /// The thread that asked for shutdown waits until `isFinished`.
    mutating func shutdownWaits() {
        shutdownWaiting = true
    }

    // MARK: - Wake-ups

    /// The threads to wake after an event: those waiting that now have
    /// something to do. Each is woken once per wait.
    mutating func takeWakes() -> Wakes {
        var wakes: Wakes = []
        if writerWaiting && writerHasWork {
            writerWaiting = false
            wakes.insert(.writer)
        }
        if syncerWaiting && syncerHasWork {
            syncerWaiting = false
            wakes.insert(.syncer)
        }
        if shutdownWaiting && isFinished {
            shutdownWaiting = false
            wakes.insert(.shutdown)
        }
        return wakes
    }

    private mutating func averageIn(_ units: some Sequence<Unit>) {
        for unit in units where unit.submissions > 0 {
            averageBatch += (Double(unit.submissions) - averageBatch) / 8
        }
    }
}
