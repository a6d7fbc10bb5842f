import CLinux
import Foundation
import Logging
import SystemSupport

/// Threads that work through what the ledger says is due, claimed with a
/// lease so that of several daemons on one PostgreSQL ledger one works on
/// an item at a time. The outbox (due events), the reconciler (due orders)
/// and the refunder (due refund requests) are three of these.
///
/// One claim thread decides, by `ClaimSchedule`, when to claim (as many
/// items as workers are idle, so nothing claimed waits in a queue while its
/// lease runs), when to renew the lease of an item a worker still holds
/// (half of it spent: a slow sink, a call waiting for its turn), and how
/// long to sleep; `concurrency` workers run `work` on one item each. With
/// every worker busy and nothing to renew, nothing runs.
///
/// Killed at any point, they lose nothing: what is due and what was decided
/// is in the ledger, and a claimed item falls due again when its lease runs
/// out (at once after a restart on SQLite, where the daemon releases its
/// earlier life's claims).
public final class ClaimingWorkers<Item: Sendable>: @unchecked Sendable {
    public let name: String
    private let claim: @Sendable (_ limit: Int, _ leaseSeconds: Double) throws -> [Item]
    private let renew: (@Sendable (_ items: [Item], _ leaseSeconds: Double) throws -> Void)?
    private let work: @Sendable (Item) -> Void
    private let logger: Logger
    private let leaseSeconds: Double
    private let workerCount: Int
    private let condition = NSCondition()
    private var schedule: ClaimSchedule
    /// Per worker: the item handed to it and not yet taken.
    private var handed: [Item?]
    /// Per worker: the item it works on (for renewals).
    private var held: [Item?]
    private var started = false
    private let stopped = DispatchSemaphore(value: 0)

    /// `leaseSeconds`: how long a claim holds an item; `claim` is asked for
    /// at most `limit` due items leased for that long, `renew` extends the
    /// leases of items still held by that long again (nil: leases are
    /// never renewed). `pollInterval`: how often due items are looked for
    /// when nothing wakes the workers.
    public init(name: String, concurrency: Int, pollInterval: Double, leaseSeconds: Double, logger: Logger,
                claim: @escaping @Sendable (_ limit: Int, _ leaseSeconds: Double) throws -> [Item],
                renew: (@Sendable (_ items: [Item], _ leaseSeconds: Double) throws -> Void)? = nil,
                work: @escaping @Sendable (Item) -> Void) {
        self.name = name
        self.claim = claim
        self.renew = renew
        self.work = work
        self.logger = logger
        self.leaseSeconds = leaseSeconds
        schedule = ClaimSchedule(concurrency: concurrency, pollInterval: pollInterval, leaseSeconds: leaseSeconds)
        workerCount = schedule.concurrency
        handed = Array(repeating: nil, count: schedule.concurrency)
        held = handed
    }

    public var concurrency: Int { workerCount }

    public func start() {
        condition.lock()
        guard !started, schedule.running else {
            condition.unlock()
            return
        }
        started = true
        condition.unlock()
        let claimer = Thread { [self] in claimLoop() }
        claimer.name = name
        claimer.start()
        for index in 0..<workerCount {
            let worker = Thread { [self] in workLoop(index) }
            worker.name = "\(name)-\(index)"
            worker.start()
        }
    }

    /// New work was written: look for it now rather than at the next poll.
    public func wake() {
        condition.lock()
        schedule.wake()
        condition.broadcast()
        condition.unlock()
    }

    /// Stops claiming, lets the work in progress finish and be recorded,
    /// and returns when every thread has ended. Claimed items not started
    /// fall due again when their lease runs out (or at the next start).
    public func stop() {
        condition.lock()
        let wasRunning = schedule.running && started
        schedule.stop()
        handed = Array(repeating: nil, count: handed.count)
        condition.broadcast()
        condition.unlock()
        guard wasRunning else { return }
        for _ in 0...workerCount { stopped.wait() }
    }

    private static func now() -> Double { Double(MonotonicClock.nanoseconds()) / 1e9 }

    private func claimLoop() {
        notifyd_set_thread_name(name)
        var failures = 0
        condition.lock()
        loop: while true {
            switch schedule.next(now: Self.now()) {
            case .stop:
                break loop
            case .wait(until: let moment?):
                _ = condition.wait(until: Date(timeIntervalSinceNow: max(0, moment - Self.now())))
            case .wait(until: nil):
                condition.wait()
            case .claim(let limit):
                condition.unlock()
                var claimed: [Item]?
                do {
                    claimed = try claim(limit, leaseSeconds)
                    if failures > 0 {
                        logger.notice("\(name): claiming due work again after \(failures) failed attempt(s)")
                        failures = 0
                    }
                } catch {
                    // While the ledger is away this fails at every poll: say it once, then now and then.
                    failures += 1
                    if failures == 1 || failures % 60 == 0 {
                        logger.error("\(name): cannot claim due work (\(failures) attempt(s) in a row; retrying): \(error)")
                    }
                }
                condition.lock()
                guard let claimed else {
                    schedule.claimFailed(now: Self.now())
                    continue
                }
                // Stopped meanwhile: what was claimed falls due again when its lease ends.
                guard schedule.running else { break loop }
                for (worker, item) in zip(schedule.claimed(claimed.count, limit: limit, now: Self.now()), claimed) {
                    handed[worker] = item
                    held[worker] = item
                }
                if !claimed.isEmpty { condition.broadcast() }
            case .renew(let workers):
                let items = workers.compactMap { held[$0] }
                condition.unlock()
                if let renew, !items.isEmpty {
                    do {
                        try renew(items, leaseSeconds)
                    } catch {
                        logger.error("\(name): cannot renew the lease of \(items.count) item(s) in progress (retrying at the next half lease): \(error)")
                    }
                }
                condition.lock()
                schedule.renewed(workers, now: Self.now())
            }
        }
        condition.unlock()
        stopped.signal()
    }

    private func workLoop(_ index: Int) {
        notifyd_set_thread_name("\(name)-\(index)")
        condition.lock()
        while true {
            while handed[index] == nil && schedule.running { condition.wait() }
            guard schedule.running, let item = handed[index] else { break }
            handed[index] = nil
            condition.unlock()

            work(item)

            condition.lock()
            held[index] = nil
            schedule.finished(index)
            condition.broadcast()
        }
        condition.unlock()
        stopped.signal()
    }
}
