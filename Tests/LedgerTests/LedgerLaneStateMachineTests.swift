@testable import Ledger
import Testing

/// The lane's hand-over without threads, a store or a lock: every event,
/// the action it asks for, who must be woken, and the state it leaves.
@Suite struct LedgerLaneStateMachineTests {
    /// Work committed, named, with the submissions its commit held.
    struct Unit: LedgerLaneCommit, Equatable {
        let name: String
        var submissions: Int = 1
    }

    typealias Machine = LedgerLaneStateMachine<String, String, Unit>

    static func machine(maximumBatch: Int = 4, commitsOnIdleCaller: Bool = true, hasBarrier: Bool = true,
                        callerMayCommit: Bool = true) -> Machine {
        Machine(maximumBatch: maximumBatch, commitsOnIdleCaller: commitsOnIdleCaller, hasBarrier: hasBarrier,
                callerMayCommit: callerMayCommit)
    }

    /// The names of what the writer took, work marked `work:`.
    static func names(_ action: Machine.WriterAction) -> [String]? {
        guard case .take(let taken, _) = action else { return nil }
        return taken.map {
            switch $0 {
            case .submission(let name): name
            case .work(let name): "work:\(name)"
            }
        }
    }

    static func isWait(_ action: Machine.WriterAction) -> Bool {
        if case .wait = action { true } else { false }
    }

    static func isExit(_ action: Machine.WriterAction) -> Bool {
        if case .exit = action { true } else { false }
    }

    /// A writer that found nothing to do and waits.
    static func waitingWriter(_ machine: inout Machine) {
        let next = machine.writerNext()
        #expect(isWait(next))
        let wakes = machine.takeWakes()
        #expect(wakes == [])
    }

    // MARK: - Where a submission goes

    @Test func aSubmissionToAnIdleLaneAtLowLoadCommitsOnTheCaller() {
        var machine = Self.machine()
        Self.waitingWriter(&machine)
        let action = machine.submitted("a")
        #expect(action == .commitOnCaller)
        #expect(machine.holder == .caller)
        #expect(machine.queue.isEmpty)
        let wakes = machine.takeWakes()
        #expect(wakes == [], "the writer was woken for a caller's commit")
        // Committed, it runs its own barrier; nothing else is owed one.
        let durability = machine.callerCommitted(Unit(name: "a"), callerMayCommit: true)
        #expect(durability == .runBarrier)
        #expect(machine.holder == .nobody)
        #expect(machine.barrier == .caller)
        machine.barrierEnded(by: .caller)
        let wakes2 = machine.takeWakes()
        #expect(wakes2 == [])
        let action2 = machine.submitted("b")
        #expect(action2 == .commitOnCaller)
    }

    @Test func aCallerOfAStoreWithoutABarrierAnswersAtOnce() {
        var machine = Self.machine(hasBarrier: false)
        let action = machine.submitted("a")
        #expect(action == .commitOnCaller)
        let durability = machine.callerCommitted(Unit(name: "a"), callerMayCommit: true)
        #expect(durability == .answer)
        #expect(machine.barrier == nil)
        #expect(machine.holder == .nobody)
    }

    @Test func withoutCallerCommitsEverySubmissionIsQueued() {
        var machine = Self.machine(commitsOnIdleCaller: false)
        Self.waitingWriter(&machine)
        let action = machine.submitted("a")
        #expect(action == .enqueued)
        let wakes = machine.takeWakes()
        #expect(wakes == .writer)
    }

    @Test func underLoadSubmissionsGoThroughTheWriter() {
        var machine = Self.machine(commitsOnIdleCaller: true)
        // Recent commits held four each: the average passes 1.5.
        for round in 0..<2 {
            _ = machine.workRequested("w\(round)")
            _ = machine.writerNext()
            let durability = machine.writerFinishedRound(committed: [Unit(name: "batch\(round)", submissions: 4)], openBatchSize: nil, callerMayCommit: true)
            #expect(durability == .runBarrier)
            machine.barrierEnded(by: .writer)
        }
        #expect(machine.averageBatch > Machine.callerCommitLoad)
        #expect(machine.holder == .nobody && !machine.isSyncing && machine.queue.isEmpty)
        let action = machine.submitted("e")
        #expect(action == .enqueued)
    }

    @Test func theMovingAverageCountsSubmissionsPerCommitNotWork() {
        var machine = Self.machine()
        _ = machine.workRequested("w")
        _ = machine.writerNext()
        _ = machine.writerFinishedRound(committed: [Unit(name: "w", submissions: 0), Unit(name: "b", submissions: 9)], openBatchSize: nil, callerMayCommit: true)
        #expect(machine.averageBatch == 2)   // 1 + (9 - 1) / 8: the work did not count
    }

    @Test func aSubmissionIsQueuedWhileTheWriterHoldsTheStore() {
        var machine = Self.machine()
        _ = machine.workRequested("w")
        let next = machine.writerNext()
        #expect(Self.names(next) == ["work:w"])
        #expect(machine.holder == .writer)
        let action = machine.submitted("a")
        #expect(action == .enqueued)
        let wakes = machine.takeWakes()
        #expect(wakes == [], "the writer is not waiting: it will ask again")
    }

    @Test func aSubmissionIsQueuedWhileABarrierRunsOrIsOwed() {
        var machine = Self.machine()
        let action = machine.submitted("a")
        #expect(action == .commitOnCaller)
        _ = machine.callerCommitted(Unit(name: "a"), callerMayCommit: true)
        // The caller's fsync runs: the lane is not idle.
        let action2 = machine.submitted("b")
        #expect(action2 == .enqueued)
        let next = machine.writerNext()
        #expect(Self.names(next) == ["b"])
        // The writer's commit is owed a barrier after the caller's.
        let durability = machine.writerFinishedRound(committed: [Unit(name: "b")], openBatchSize: nil, callerMayCommit: true)
        #expect(durability == .handedToSyncer)
        machine.barrierEnded(by: .caller)
        #expect(machine.holder == .nobody && machine.queue.isEmpty)
        let action3 = machine.submitted("c")
        #expect(action3 == .enqueued)
    }

    // MARK: - Waking the writer

    @Test func onlyTheFirstArrivalWakesAWaitingWriter() {
        var machine = Self.machine(commitsOnIdleCaller: false)
        Self.waitingWriter(&machine)
        let action = machine.submitted("a")
        #expect(action == .enqueued)
        let wakes = machine.takeWakes()
        #expect(wakes == .writer)
        let action2 = machine.submitted("b")
        #expect(action2 == .enqueued)
        let wakes2 = machine.takeWakes()
        #expect(wakes2 == [], "woken twice for one wait")
        let next = machine.writerNext()
        #expect(Self.names(next) == ["a", "b"])
    }

    @Test func whatArrivesWhileACallerHoldsTheStoreWaitsForItsCommit() {
        var machine = Self.machine()
        Self.waitingWriter(&machine)
        let action = machine.submitted("a")
        #expect(action == .commitOnCaller)
        let action2 = machine.submitted("b")
        #expect(action2 == .enqueued)
        let wakes = machine.takeWakes()
        #expect(wakes == [], "the writer was woken while the caller holds the store")
        let next = machine.writerNext()
        #expect(Self.isWait(next))
        _ = machine.callerCommitted(Unit(name: "a"), callerMayCommit: true)
        let wakes2 = machine.takeWakes()
        #expect(wakes2 == .writer)
        let next2 = machine.writerNext()
        #expect(Self.names(next2) == ["b"])
    }

    @Test func workKeepsItsPlaceAmongSubmissions() {
        var machine = Self.machine(commitsOnIdleCaller: false)
        _ = machine.submitted("a")
        _ = machine.workRequested("w")
        _ = machine.submitted("b")
        let next = machine.writerNext()
        #expect(Self.names(next) == ["a", "work:w", "b"])
    }

    @Test func theWriterTakesAtMostAFullBatchWithWhatItKeepsOpen() {
        var machine = Self.machine(maximumBatch: 4, commitsOnIdleCaller: false)
        for name in ["a", "b", "c", "d", "e", "f"] { _ = machine.submitted(name) }
        let next = machine.writerNext()
        #expect(Self.names(next) == ["a", "b", "c", "d"])
        let durability = machine.writerFinishedRound(committed: [Unit(name: "abcd", submissions: 4)], openBatchSize: nil, callerMayCommit: true)
        #expect(durability == .handedToSyncer)
        guard case .runBarrier = machine.syncerNext() else { Issue.record("the syncer did not run"); return }
        // Two taken, applied and kept open during the fsync, leave room for two more.
        let next2 = machine.writerNext()
        #expect(Self.names(next2) == ["e", "f"])
        #expect(!machine.mayCommitOpenBatch(size: 2, finishing: false))
        _ = machine.writerFinishedRound(committed: [], openBatchSize: 2, callerMayCommit: true)
        for name in ["g", "h", "i"] { _ = machine.submitted(name) }
        let next3 = machine.writerNext()
        #expect(Self.names(next3) == ["g", "h"])
        #expect(machine.mayCommitOpenBatch(size: 4, finishing: false), "a full batch waited for the fsync")
    }

    // MARK: - The barrier

    @Test func theWriterRunsTheBarrierItselfWhenNothingElseWaits() {
        var machine = Self.machine(commitsOnIdleCaller: false)
        _ = machine.submitted("a")
        _ = machine.writerNext()
        let durability = machine.writerFinishedRound(committed: [Unit(name: "a")], openBatchSize: nil, callerMayCommit: true)
        #expect(durability == .runBarrier)
        #expect(machine.barrier == .writer)
        #expect(machine.holder == .writer, "the writer keeps the store while it runs the barrier")
        let wakes = machine.takeWakes()
        #expect(wakes == [])
        machine.barrierEnded(by: .writer)
        #expect(machine.holder == .nobody)
    }

    @Test func onlyOneBarrierRunsAtATime() {
        var machine = Self.machine()
        var syncer = machine.syncerNext()
        guard case .wait = syncer else { Issue.record("the syncer had work"); return }
        // A caller's barrier runs; the writer commits work meanwhile.
        let action = machine.submitted("a")
        #expect(action == .commitOnCaller)
        _ = machine.workRequested("w")
        let durability = machine.callerCommitted(Unit(name: "a"), callerMayCommit: true)
        #expect(durability == .runBarrier)
        let next = machine.writerNext()
        #expect(Self.names(next) == ["work:w"])
        let durability2 = machine.writerFinishedRound(committed: [Unit(name: "w", submissions: 0)], openBatchSize: nil, callerMayCommit: true)
        #expect(durability2 == .handedToSyncer)
        let wakes = machine.takeWakes()
        #expect(wakes == [], "the syncer was woken during the caller's barrier")
        syncer = machine.syncerNext()
        guard case .wait = syncer else { Issue.record("a second barrier started"); return }
        machine.barrierEnded(by: .caller)
        let wakes2 = machine.takeWakes()
        #expect(wakes2 == .syncer)
        syncer = machine.syncerNext()
        guard case .runBarrier(let units) = syncer else { Issue.record("the syncer did not run"); return }
        #expect(units == [Unit(name: "w", submissions: 0)])
        #expect(machine.barrier == .syncer)
        // While it runs, nothing else may start one: neither a caller nor the writer.
        let action2 = machine.submitted("b")
        #expect(action2 == .enqueued)
        _ = machine.writerNext()
        let durability3 = machine.writerFinishedRound(committed: [Unit(name: "b")], openBatchSize: nil, callerMayCommit: true)
        #expect(durability3 == .handedToSyncer)
    }

    @Test func whatIsCommittedDuringABarrierIsCoveredByTheNextOne() {
        var machine = Self.machine(maximumBatch: 1, commitsOnIdleCaller: false)
        _ = machine.submitted("a")
        _ = machine.workRequested("w")
        _ = machine.writerNext()
        _ = machine.writerFinishedRound(committed: [Unit(name: "a")], openBatchSize: nil, callerMayCommit: true)
        // The queued work kept the writer from running the barrier itself.
        guard case .runBarrier(let first) = machine.syncerNext() else { Issue.record("the syncer did not run"); return }
        #expect(first == [Unit(name: "a")])
        _ = machine.writerNext()
        let durability = machine.writerFinishedRound(committed: [Unit(name: "w", submissions: 0)], openBatchSize: nil, callerMayCommit: true)
        #expect(durability == .handedToSyncer)
        machine.barrierEnded(by: .syncer)
        guard case .runBarrier(let second) = machine.syncerNext() else { Issue.record("the syncer did not run again"); return }
        #expect(second == [Unit(name: "w", submissions: 0)])
    }

    @Test func aStoreWithoutABarrierIsAnsweredWhenItCommits() {
        var machine = Self.machine(commitsOnIdleCaller: false, hasBarrier: false)
        _ = machine.submitted("a")
        _ = machine.submitted("b")
        _ = machine.writerNext()
        let durability = machine.writerFinishedRound(committed: [Unit(name: "ab", submissions: 2)], openBatchSize: nil, callerMayCommit: true)
        #expect(durability == .answer)
        #expect(!machine.isSyncing)
        #expect(machine.mayCommitOpenBatch(size: 1, finishing: false))
    }

    // MARK: - The batch kept open during an fsync

    @Test func aBatchOpenDuringAnFsyncCommitsWhenItEnds() {
        var machine = Self.machine(commitsOnIdleCaller: false)
        _ = machine.submitted("a")
        _ = machine.writerNext()
        _ = machine.workRequested("w")
        // Work waiting kept the writer from running the barrier itself.
        let durability = machine.writerFinishedRound(committed: [Unit(name: "a")], openBatchSize: nil, callerMayCommit: true)
        #expect(durability == .handedToSyncer)
        guard case .runBarrier = machine.syncerNext() else { Issue.record("the syncer did not run"); return }
        // The work, then what arrives during the fsync: applied, kept open.
        _ = machine.submitted("b")
        let next = machine.writerNext()
        #expect(Self.names(next) == ["work:w", "b"])
        #expect(!machine.mayCommitOpenBatch(size: 1, finishing: false), "committed during the fsync")
        _ = machine.writerFinishedRound(committed: [Unit(name: "w", submissions: 0)], openBatchSize: 1, callerMayCommit: true)
        #expect(machine.holder == .writer, "the open batch holds the store")
        _ = machine.submitted("c")
        let next2 = machine.writerNext()
        #expect(Self.names(next2) == ["c"])
        _ = machine.writerFinishedRound(committed: [], openBatchSize: 2, callerMayCommit: true)
        Self.waitingWriter(&machine)
        // The fsync ends; the work's commit is owed the next one, so the batch still waits.
        machine.barrierEnded(by: .syncer)
        let wakes = machine.takeWakes()
        #expect(wakes == [])
        guard case .runBarrier = machine.syncerNext() else { Issue.record("the syncer did not run again"); return }
        machine.barrierEnded(by: .syncer)
        // The disk is free: the batch's turn.
        let wakes2 = machine.takeWakes()
        #expect(wakes2 == .writer)
        let next3 = machine.writerNext()
        #expect(Self.names(next3) == [])
        #expect(machine.mayCommitOpenBatch(size: 2, finishing: false))
        let durability2 = machine.writerFinishedRound(committed: [Unit(name: "bc", submissions: 2)], openBatchSize: nil, callerMayCommit: true)
        #expect(durability2 == .runBarrier)
    }

    @Test func noCallerCommitsWhileTheWriterKeepsABatchOpen() {
        var machine = Self.machine()
        _ = machine.workRequested("w")
        _ = machine.writerNext()
        _ = machine.writerFinishedRound(committed: [], openBatchSize: 1, callerMayCommit: true)
        let action = machine.submitted("a")
        #expect(action == .enqueued)
    }

    // MARK: - A write lock held elsewhere

    @Test func aBusyLedgerFailsEverythingQueuedBehindTheAttempt() {
        var machine = Self.machine(commitsOnIdleCaller: false)
        _ = machine.submitted("a")
        _ = machine.workRequested("w")
        _ = machine.submitted("b")
        let next = machine.writerNext()
        guard case .take(let taken, _) = next else { Issue.record("the writer took nothing"); return }
        // Arriving while the attempt for "a" waits for the lock.
        _ = machine.submitted("c")
        _ = machine.workRequested("w2")
        let failed = machine.writeLockUnavailable(returning: taken.dropFirst())
        #expect(failed == ["b", "c"])
        let durability = machine.writerFinishedRound(committed: [], openBatchSize: nil, callerMayCommit: true)
        #expect(durability == .none)
        // The work keeps its place and runs next, in order.
        let after = machine.writerNext()
        #expect(Self.names(after) == ["work:w", "work:w2"])
    }

    @Test func aCallerThatFindsTheWriteLockBusyHandsItsSubmissionToTheWriterFirst() {
        var machine = Self.machine()
        Self.waitingWriter(&machine)
        let action = machine.submitted("a")
        #expect(action == .commitOnCaller)
        let action2 = machine.submitted("b")
        #expect(action2 == .enqueued)
        machine.callerFoundWriteLockBusy("a", callerMayCommit: true)
        #expect(machine.holder == .nobody)
        #expect(machine.barrier == nil, "no barrier is owed for nothing committed")
        let wakes = machine.takeWakes()
        #expect(wakes == .writer)
        let next = machine.writerNext()
        #expect(Self.names(next) == ["a", "b"])
    }

    @Test func noCallerCommitsWhileTheStoreSaysACallerWouldWait() {
        var machine = Self.machine(callerMayCommit: false)
        let action = machine.submitted("a")
        #expect(action == .enqueued, "committed on a caller before the store was known to be connected")
        _ = machine.writerNext()
        // The writer's round succeeded: the store admits callers again.
        let durability = machine.writerFinishedRound(committed: [Unit(name: "a")], openBatchSize: nil, callerMayCommit: true)
        #expect(durability == .runBarrier)
        machine.barrierEnded(by: .writer)
        let action2 = machine.submitted("b")
        #expect(action2 == .commitOnCaller)
        // The caller's transaction failed: the next one goes to the writer.
        _ = machine.callerCommitted(Unit(name: "b"), callerMayCommit: false)
        machine.barrierEnded(by: .caller)
        let action3 = machine.submitted("c")
        #expect(action3 == .enqueued)
    }

    // MARK: - Stopping

    @Test func shutdownRecordsWhatIsQueuedFirst() {
        var machine = Self.machine(commitsOnIdleCaller: false)
        Self.waitingWriter(&machine)
        guard case .wait = machine.syncerNext() else { Issue.record("the syncer had work"); return }
        _ = machine.submitted("a")
        _ = machine.workRequested("w")
        _ = machine.takeWakes()
        let stopped = machine.stopRequested()
        #expect(stopped)
        // Nothing more is taken in; what is queued is.
        let action = machine.submitted("late")
        #expect(action == .refuse)
        let accepted = machine.workRequested("late work")
        #expect(!accepted)
        let next = machine.writerNext()
        #expect(Self.names(next) == ["a", "work:w"])
        guard case .take(_, let finishing) = next else { return }
        #expect(finishing)
        #expect(machine.mayCommitOpenBatch(size: 1, finishing: finishing), "an open batch waits for no fsync when stopping")
        machine.shutdownWaits()
        let durability = machine.writerFinishedRound(committed: [Unit(name: "a"), Unit(name: "w", submissions: 0)], openBatchSize: nil, callerMayCommit: true)
        #expect(durability == .runBarrier)
        let wakes = machine.takeWakes()
        #expect(wakes == [])
        #expect(!machine.isFinished, "finished before what was committed is durable")
        machine.barrierEnded(by: .writer)
        let last = machine.writerNext()
        #expect(Self.isExit(last))
        let wakes2 = machine.takeWakes()
        #expect(wakes2 == .syncer)
        guard case .exit = machine.syncerNext() else { Issue.record("the syncer did not exit"); return }
        #expect(machine.isFinished)
        let wakes3 = machine.takeWakes()
        #expect(wakes3 == .shutdown)
    }

    @Test func shutdownWakesAWaitingWriterAndSyncer() {
        var machine = Self.machine()
        Self.waitingWriter(&machine)
        guard case .wait = machine.syncerNext() else { Issue.record("the syncer had work"); return }
        let stopped = machine.stopRequested()
        #expect(stopped)
        let wakes = machine.takeWakes()
        #expect(wakes == .writer)
        let next = machine.writerNext()
        #expect(Self.isExit(next))
        let wakes2 = machine.takeWakes()
        #expect(wakes2 == .syncer)
        guard case .exit = machine.syncerNext() else { Issue.record("the syncer did not exit"); return }
        #expect(machine.isFinished)
    }

    @Test func shutdownWaitsForACallersBarrier() {
        var machine = Self.machine()
        let action = machine.submitted("a")
        #expect(action == .commitOnCaller)
        let stopped = machine.stopRequested()
        #expect(stopped)
        let next = machine.writerNext()
        #expect(Self.isWait(next), "the writer ended while a caller holds the store")
        _ = machine.callerCommitted(Unit(name: "a"), callerMayCommit: true)
        let wakes = machine.takeWakes()
        #expect(wakes == .writer)
        let next2 = machine.writerNext()
        #expect(Self.isExit(next2))
        guard case .wait = machine.syncerNext() else { Issue.record("the syncer ended during the caller's barrier"); return }
        machine.shutdownWaits()
        #expect(!machine.isFinished)
        machine.barrierEnded(by: .caller)
        let wakes2 = machine.takeWakes()
        #expect(wakes2 == .syncer)
        guard case .exit = machine.syncerNext() else { Issue.record("the syncer did not exit"); return }
        let wakes3 = machine.takeWakes()
        #expect(wakes3 == .shutdown)
    }

    @Test func aSecondShutdownDoesNotWait() {
        var machine = Self.machine()
        let stopped = machine.stopRequested()
        #expect(stopped)
        let stopped2 = machine.stopRequested()
        #expect(!stopped2)
    }

    @Test func aLaneWithoutABarrierIsFinishedWhenTheWriterEnds() {
        var machine = Self.machine(hasBarrier: false)
        let stopped = machine.stopRequested()
        #expect(stopped)
        let next = machine.writerNext()
        #expect(Self.isExit(next))
        #expect(machine.isFinished)
    }
}
