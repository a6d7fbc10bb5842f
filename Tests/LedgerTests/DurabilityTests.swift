import AlipayNotify
import Dispatch
import Foundation
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import Logging
import Testing
import TestSupport

/// The daemon's durability path: commits with synchronous=NORMAL made
/// durable by an explicit fdatasync of the WAL before anyone is answered,
/// and checkpoints on a thread of their own.
@Suite struct DurabilityTests {
    let directory = TemporaryDirectory("durability")

    /// A real store whose durability barrier can be made to fail: the one
    /// fault (a failed fsync) that cannot be produced on a healthy disk.
    ///
    /// With `openBatches`, it keeps batches open as the daemon's store does
    /// (an open transaction whose `record` fails for the trade `failing`);
    /// `slowSync` makes every fsync take that long; without
    /// `admitsCallers` it says a caller may never commit (as PostgreSQL
    /// does while it is not connected).
    final class FailingBarrierStore: LedgerStore {
        let inner: SQLiteLedgerStore
        let fail: Bool
        let openBatches: Bool
        let failing: String?
        let slowSync: Double
        let admitsCallers: Bool
        let barrierCalls = Counter()
        /// Barriers running at once, now and at most (the lane runs one at a time).
        let overlap = Overlap()
        init(_ inner: SQLiteLedgerStore, fail: Bool, openBatches: Bool = false, failing: String? = nil, slowSync: Double = 0,
             admitsCallers: Bool = true) {
            self.inner = inner
            self.fail = fail
            self.openBatches = openBatches
            self.failing = failing
            self.slowSync = slowSync
            self.admitsCallers = admitsCallers
        }
        func record(_ batch: [LedgerSubmission]) throws -> [LedgerOutcome] {
            try inner.record(batch)
        }
        var admitsCallerCommits: Bool { admitsCallers && inner.admitsCallerCommits }
        func recordWithoutWaiting(_ batch: [LedgerSubmission]) throws -> [LedgerOutcome]? {
            try inner.recordWithoutWaiting(batch)
        }
        var durabilityBarrier: (@Sendable () throws -> Void)? {
            let fail = self.fail, calls = barrierCalls, real = inner.durabilityBarrier!, slow = slowSync, overlap = overlap
            return {
                calls.increment()
                overlap.enter()
                defer { overlap.leave() }
                if slow > 0 { Thread.sleep(forTimeInterval: slow) }
                if fail { throw SQLiteError(code: 10, message: "fdatasync failed: Input/output error") }
                try real()
            }
        }
        func beginBatch() throws -> (any OpenLedgerBatch)? {
            guard openBatches, let batch = try inner.beginBatch() else { return nil }
            return FailingOpenBatch(inner: batch, failing: failing)
        }
        func recordGatewayCall(_ call: GatewayCall, observation: AcceptedObservation?, owner: String?,
                               schedule: (LedgerOutcome?) -> ScheduleUpdate?) throws -> LedgerOutcome? {
            try inner.recordGatewayCall(call, observation: observation, owner: owner, schedule: schedule)
        }
        func addOrder(_ order: MerchantOrder, firstQueryAt: String?) throws -> Bool { try inner.addOrder(order, firstQueryAt: firstQueryAt) }
        func order(_ outTradeNo: String) throws -> MerchantOrder? { try inner.order(outTradeNo) }
        func orders(state: OrderState?, limit: Int) throws -> [MerchantOrder] { try inner.orders(state: state, limit: limit) }
        func claimDueOrders(owner: String, limit: Int, leaseSeconds: Double) throws -> [OrderReconciliation] {
            try inner.claimDueOrders(owner: owner, limit: limit, leaseSeconds: leaseSeconds)
        }
        func releaseOrderClaims(ownerPrefix: String) throws -> Int { try inner.releaseOrderClaims(ownerPrefix: ownerPrefix) }
        func reconciliation(_ outTradeNo: String) throws -> OrderReconciliation? { try inner.reconciliation(outTradeNo) }
        func requestClose(_ outTradeNo: String, owner: String?, retryAt: String) throws -> Bool {
            try inner.requestClose(outTradeNo, owner: owner, retryAt: retryAt)
        }
        func serials(ofBusinessOrder businessOrder: String) throws -> (paidBy: String?, serials: [BusinessOrderSerial]) {
            try inner.serials(ofBusinessOrder: businessOrder)
        }
        func claimBusinessOrder(_ businessOrder: String, owner: String, leaseSeconds: Double) throws -> Bool {
            try inner.claimBusinessOrder(businessOrder, owner: owner, leaseSeconds: leaseSeconds)
        }
        func renewBusinessOrderClaim(_ businessOrder: String, owner: String, leaseSeconds: Double) throws -> Bool {
            try inner.renewBusinessOrderClaim(businessOrder, owner: owner, leaseSeconds: leaseSeconds)
        }
        func releaseBusinessOrderClaim(_ businessOrder: String, owner: String) throws -> Bool {
            try inner.releaseBusinessOrderClaim(businessOrder, owner: owner)
        }
        func releaseBusinessOrderClaims(ownerPrefix: String) throws -> Int { try inner.releaseBusinessOrderClaims(ownerPrefix: ownerPrefix) }
        func addSerial(_ order: MerchantOrder, firstQueryAt: String?, claimedBy owner: String, leaseSeconds: Double) throws -> SerialRegistration {
            try inner.addSerial(order, firstQueryAt: firstQueryAt, claimedBy: owner, leaseSeconds: leaseSeconds)
        }
        func updateGatewayPace<T>(appID: String, initial: GatewayPaceRow, _ change: (inout GatewayPaceRow) -> T) throws -> T {
            try inner.updateGatewayPace(appID: appID, initial: initial, change)
        }
        func orderCounts() throws -> OrderCounts { try inner.orderCounts() }
        func renewOrderClaims(_ outTradeNos: [String], owner: String, leaseSeconds: Double) throws -> Int {
            try inner.renewOrderClaims(outTradeNos, owner: owner, leaseSeconds: leaseSeconds)
        }
        func renewRefundClaims(_ requests: [RefundRequest], owner: String, leaseSeconds: Double) throws -> Int {
            try inner.renewRefundClaims(requests, owner: owner, leaseSeconds: leaseSeconds)
        }
        func renewEventLeases(_ ids: [String], owner: String, leaseSeconds: Double) throws -> Int {
            try inner.renewEventLeases(ids, owner: owner, leaseSeconds: leaseSeconds)
        }
        func requestRefund(_ request: RefundRequest, owner: String?, leaseSeconds: Double) throws -> RefundRequestOutcome {
            try inner.requestRefund(request, owner: owner, leaseSeconds: leaseSeconds)
        }
        func refundRequest(outTradeNo: String, requestNo: String) throws -> RefundRequest? {
            try inner.refundRequest(outTradeNo: outTradeNo, requestNo: requestNo)
        }
        func refundRequests(requestNo: String) throws -> [RefundRequest] { try inner.refundRequests(requestNo: requestNo) }
        func claimDueRefunds(owner: String, limit: Int, leaseSeconds: Double) throws -> [RefundRequest] {
            try inner.claimDueRefunds(owner: owner, limit: limit, leaseSeconds: leaseSeconds)
        }
        func claimRefund(outTradeNo: String, requestNo: String, owner: String, leaseSeconds: Double) throws -> RefundRequest? {
            try inner.claimRefund(outTradeNo: outTradeNo, requestNo: requestNo, owner: owner, leaseSeconds: leaseSeconds)
        }
        func releaseRefundClaims(ownerPrefix: String) throws -> Int { try inner.releaseRefundClaims(ownerPrefix: ownerPrefix) }
        func beginRefundAttempt(_ request: RefundRequest, call: RefundCall, owner: String?) throws -> Bool {
            try inner.beginRefundAttempt(request, call: call, owner: owner)
        }
        func retryRefund(outTradeNo: String, requestNo: String) throws -> Bool { try inner.retryRefund(outTradeNo: outTradeNo, requestNo: requestNo) }
        func refundCounts() throws -> RefundCounts { try inner.refundCounts() }
        func claimEvents(owner: String, limit: Int, leaseSeconds: Double) throws -> [OutboxEvent] {
            try inner.claimEvents(owner: owner, limit: limit, leaseSeconds: leaseSeconds)
        }
        func markDelivered(_ id: String, owner: String?) throws -> Bool { try inner.markDelivered(id, owner: owner) }
        func markFailed(_ id: String, owner: String, error: String, retryAt: String?) throws -> Bool {
            try inner.markFailed(id, owner: owner, error: error, retryAt: retryAt)
        }
        func redeliver(_ id: String) throws -> RedeliveryResult { try inner.redeliver(id) }
        func releaseLeases(ownerPrefix: String) throws -> Int { try inner.releaseLeases(ownerPrefix: ownerPrefix) }
        func event(_ id: String) throws -> OutboxEvent? { try inner.event(id) }
        func events(state: OutboxEventState?, kind: LedgerEventKind?, limit: Int) throws -> [OutboxEvent] {
            try inner.events(state: state, kind: kind, limit: limit)
        }
        func outboxBacklog() throws -> OutboxBacklog { try inner.outboxBacklog() }
        func tradeDetails(_ outTradeNo: String) throws -> TradeDetails? { try inner.tradeDetails(outTradeNo) }
        var isShared: Bool { false }
        func probeWrite(instance: String) throws { try inner.probeWrite(instance: instance) }
    }

    final class FailingOpenBatch: OpenLedgerBatch {
        let inner: any OpenLedgerBatch
        let failing: String?
        init(inner: any OpenLedgerBatch, failing: String?) {
            self.inner = inner
            self.failing = failing
        }
        func record(_ submissions: [LedgerSubmission]) throws -> [LedgerOutcome] {
            let outcomes = try inner.record(submissions)   // written, then refused: the rollback must undo it
            for submission in submissions {
                if case .observation(let accepted) = submission, accepted.observation.outTradeNo == failing {
                    throw SQLiteError(code: 19, message: "constraint failed")
                }
            }
            return outcomes
        }
        func commit() throws { try inner.commit() }
        func rollback() { inner.rollback() }
    }

    /// Submits `count` submissions (`pause` seconds apart), collecting each
    /// answer; true when every one was answered within 30 s.
    static func submit(_ count: Int, to writer: LedgerWriter, into answers: LedgerWriterTests.Collected, every pause: Double = 0,
                       _ submission: (Int) -> LedgerSubmission) -> Bool {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            writer.submit(submission(index)) { outcome in
                answers.add(outcome.label)
                group.leave()
            }
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
        return group.wait(timeout: .now() + 30) == .success
    }

    /// A paid notification of its own trade.
    static func paid(_ index: Int) -> LedgerSubmission {
        LedgerFixtures.paid("O\(index)", id: "N\(index)", unregistered: true)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() { lock.withLock { value += 1 } }
        var count: Int { lock.withLock { value } }
    }

    final class Overlap: @unchecked Sendable {
        private let lock = NSLock()
        private var now = 0
        private var most = 0
        func enter() { lock.withLock { now += 1; most = max(most, now) } }
        func leave() { lock.withLock { now -= 1 } }
        var highest: Int { lock.withLock { most } }
    }

    @Test func explicitSyncCommitsWithNormalAndAnswersOnlyAfterTheBarrier() throws {
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"), explicitSync: true)
        #expect(try store.database.scalarInt("PRAGMA synchronous") == 1) // NORMAL: the WAL sync is ours
        let wrapped = FailingBarrierStore(store, fail: false)
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function))
        let answers = LedgerWriterTests.Collected()
        #expect(Self.submit(200, to: writer, into: answers) { LedgerFixtures.paid("O\($0 % 50)", id: "N\($0)", unregistered: true) })
        writer.shutdown()
        #expect(answers.all.count == 200)
        #expect(!answers.all.contains("unavailable"))
        #expect(wrapped.barrierCalls.count >= 1)
        #expect(wrapped.barrierCalls.count <= 200) // one fsync covers whole batches
    }

    @Test func aFailedBarrierAnswers503AndIsReported() throws {
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"), explicitSync: true)
        let reported = Counter()
        let writer = LedgerWriter(store: FailingBarrierStore(store, fail: true),
                                  logger: Logger(label: #function), onDurabilityFailure: { _ in reported.increment() })
        let done = DispatchSemaphore(value: 0)
        let answers = LedgerWriterTests.Collected()
        writer.submit(LedgerFixtures.paid("O1", id: "N1", unregistered: true)) { outcome in
            answers.add(outcome.label)
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        writer.shutdown()
        #expect(answers.all == ["unavailable"])
        #expect(reported.count == 1)
    }

    @Test func backgroundCheckpointsKeepTheWALBoundedAndLoseNothing() throws {
        let path = directory.file("ledger.db")
        let store = try SQLiteLedgerStore(path: path, busyTimeoutMilliseconds: 5000, explicitSync: true,
                                          checkpointFrames: (passive: 50, restart: 400))
        var largestWAL = 0
        for batch in 0..<150 {
            let submissions = (0..<20).map { LedgerFixtures.paid("O\(batch)-\($0)", id: "N\(batch)-\($0)", unregistered: true) }
            #expect(try store.record(submissions).allSatisfy(\.isSuccess))
            try store.durabilityBarrier?()
            let attributes = try FileManager.default.attributesOfItem(atPath: path + "-wal")
            largestWAL = max(largestWAL, attributes[.size] as? Int ?? 0)
        }
        // 3,000 notifications wrote far more than 400 frames; the WAL restarted.
        #expect(largestWAL < 600 * 4120, "the WAL grew to \(largestWAL) bytes")
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM notifications") == 3000)
        #expect(try store.database.scalarText("PRAGMA integrity_check") == "ok")
    }

    /// What arrives while an fsync runs is applied in one open transaction
    /// and committed once the disk is free: one commit per fsync, not one
    /// per arrival.
    @Test func whatArrivesDuringAnFsyncIsCommittedTogetherAfterIt() throws {
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"), explicitSync: true)
        let wrapped = FailingBarrierStore(store, fail: false, openBatches: true, slowSync: 0.02)
        let answers = LedgerWriterTests.Collected()
        // Through the writer's thread: one submitting thread would otherwise commit each on its own thread.
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function), commitsOnIdleCaller: false,
                                  onBatch: { answers.addBatch($0.size) })
        #expect(Self.submit(100, to: writer, into: answers, every: 0.001, Self.paid))
        writer.shutdown()
        #expect(answers.all == Array(repeating: "ship", count: 100))
        #expect(answers.batchSizes.reduce(0, +) == 100)
        // Committing each arrival while an fsync runs would make some hundred commits.
        #expect(answers.batchSizes.count <= wrapped.barrierCalls.count + 1,
                "\(answers.batchSizes.count) commits for \(wrapped.barrierCalls.count) fsyncs: \(answers.batchSizes)")
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM shipments") == 100)
    }

    /// A submission that fails inside the open transaction rolls it back;
    /// everything it held is recorded again the whole-batch way: nothing is
    /// lost, nothing is recorded twice.
    @Test func aFailureInTheOpenTransactionLosesNothing() throws {
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"), explicitSync: true)
        let wrapped = FailingBarrierStore(store, fail: false, openBatches: true, failing: "O7", slowSync: 0.2)
        let writer = LedgerWriter(store: wrapped, logger: Logger(label: #function), commitsOnIdleCaller: false)
        let answers = LedgerWriterTests.Collected()
        #expect(Self.submit(15, to: writer, into: answers, every: 0.01, Self.paid))
        writer.shutdown()
        #expect(answers.all == Array(repeating: "ship", count: 15))
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM notifications") == 15)
        #expect(try LedgerFixtures.count(store, "SELECT count(*) FROM events") == 15)
    }
}
