import Foundation
import Logging
import Testing
import TestSupport
import Workers

/// The threads around the schedule: one item per worker, claims only for
/// idle workers, renewals while an item is worked on, and a stop that
/// waits for the work in progress.
@Suite struct ClaimingWorkersTests {
    /// A backlog to claim from, counting claims, renewals and work.
    final class Backlog: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Int]
        private(set) var claims: [Int] = []
        private(set) var renewals: [[Int]] = []
        private(set) var worked: [Int] = []
        private var running = 0
        private(set) var mostAtOnce = 0

        init(_ count: Int) { items = Array(0..<count) }

        func claim(_ limit: Int) -> [Int] {
            lock.withLock {
                claims.append(limit)
                let taken = Array(items.prefix(limit))
                items.removeFirst(taken.count)
                return taken
            }
        }

        func renew(_ items: [Int]) { lock.withLock { renewals.append(items) } }

        func work(_ item: Int, seconds: Double) {
            lock.withLock { running += 1; mostAtOnce = max(mostAtOnce, running) }
            Thread.sleep(forTimeInterval: seconds)
            lock.withLock { running -= 1; worked.append(item) }
        }

        var snapshot: (claims: [Int], renewals: [[Int]], worked: [Int], mostAtOnce: Int) {
            lock.withLock { (claims, renewals, worked, mostAtOnce) }
        }
    }

    func workers(_ backlog: Backlog, concurrency: Int, lease: Double, workSeconds: Double,
                 name: String = "test-workers") -> ClaimingWorkers<Int> {
        ClaimingWorkers<Int>(
            name: name, concurrency: concurrency, pollInterval: 0.05, leaseSeconds: lease,
            logger: Logger(label: "claiming-workers-test"),
            claim: { limit, _ in backlog.claim(limit) },
            renew: { items, _ in backlog.renew(items) },
            work: { backlog.work($0, seconds: workSeconds) })
    }

    @Test func everyItemIsWorkedOnceAndNeverMoreAtOnceThanTheWorkers() {
        let backlog = Backlog(40)
        let workers = workers(backlog, concurrency: 4, lease: 60, workSeconds: 0.01)
        workers.start()
        let deadline = Date().addingTimeInterval(10)
        while backlog.snapshot.worked.count < 40, Date() < deadline { usleep(5000) }
        workers.stop()
        let seen = backlog.snapshot
        #expect(seen.worked.sorted() == Array(0..<40))
        #expect(seen.mostAtOnce <= 4)
        #expect(seen.claims.allSatisfy { $0 >= 1 && $0 <= 4 }, "claims are for idle workers only: \(seen.claims)")
    }

    @Test func anItemWorkedOnLongerThanHalfItsLeaseIsRenewed() {
        let backlog = Backlog(1)
        let workers = workers(backlog, concurrency: 2, lease: 0.4, workSeconds: 0.7)
        workers.start()
        let deadline = Date().addingTimeInterval(5)
        while backlog.snapshot.worked.isEmpty, Date() < deadline { usleep(5000) }
        workers.stop()
        let renewals = backlog.snapshot.renewals
        #expect(renewals.count >= 2, "0.7 s of work with a 0.4 s lease: renewed at 0.2 s and 0.4 s at least, got \(renewals)")
        #expect(renewals.allSatisfy { $0 == [0] })
    }

    @Test func stopWaitsForTheWorkInProgressAndClaimsNothingMore() {
        let backlog = Backlog(100)
        let workers = workers(backlog, concurrency: 2, lease: 60, workSeconds: 0.2)
        workers.start()
        while backlog.snapshot.claims.isEmpty { usleep(1000) }
        usleep(50_000)
        workers.stop()
        let atStop = backlog.snapshot
        #expect(atStop.worked.count == 2, "the two items in progress finished before stop returned")
        usleep(200_000)
        #expect(backlog.snapshot.claims == atStop.claims)
    }

    @Test func busyWorkersWithNothingToRenewCostNoCPU() {
        let backlog = Backlog(10)
        let workers = workers(backlog, concurrency: 2, lease: 600, workSeconds: 2, name: "idle-probe")
        workers.start()
        while backlog.snapshot.claims.isEmpty { usleep(1000) }
        let before = ProcessCPU.seconds(ofThreadsNamed: "idle-probe")
        Thread.sleep(forTimeInterval: 1.5)
        let spent = ProcessCPU.seconds(ofThreadsNamed: "idle-probe") - before
        workers.stop()
        #expect(spent < 0.05, "the claim thread spent \(spent) s of CPU while both workers were busy")
    }
}
