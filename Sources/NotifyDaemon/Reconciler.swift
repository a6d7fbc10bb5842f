import CLinux
import Foundation
import Ledger
import Logging

/// Asks Alipay about the orders that never heard back, on threads of its
/// own: a claim thread takes the orders that are due from the ledger's
/// due-time index (with a lease, so that of several daemons on one
/// PostgreSQL ledger one asks at a time), and `concurrency` workers run a
/// `ReconciliationStep` on each, as fast as `gateway-rate` allows.
///
/// Killed at any point, it loses nothing: an order's schedule and any
/// decided close are in the ledger, and the order falls due again when its
/// lease runs out (at once after a restart on SQLite).
public final class Reconciler: @unchecked Sendable {
    public let owner: String
    private let step: ReconciliationStep
    private let concurrency: Int
    private let pollInterval: Double
    private let logger: Logger
    private let condition = NSCondition()
    private var running = false
    private var inFlight = 0
    private var work: [OrderReconciliation] = []
    private let stopped = DispatchSemaphore(value: 0)

    init(step: ReconciliationStep, owner: String, concurrency: Int = 4, logger: Logger) {
        self.step = step
        self.owner = owner
        self.concurrency = concurrency
        // Due times are kept to the millisecond; a second is as fine as
        // schedules measured in seconds need, and `reconcile-after 1s` works.
        self.pollInterval = min(1, max(0.1, step.policy.reconcileAfter.inSeconds / 2))
        self.logger = logger
    }

    public func start() {
        condition.lock()
        running = true
        condition.unlock()
        let claimer = Thread { [self] in claimLoop() }
        claimer.name = "reconciler"
        claimer.start()
        for index in 0..<concurrency {
            let worker = Thread { [self] in workLoop(index) }
            worker.name = "reconciler-\(index)"
            worker.start()
        }
    }

    /// Stops claiming, lets the calls in progress finish and be recorded,
    /// and returns when every thread has ended. Claimed orders not started
    /// fall due again when their lease runs out (or at the next start).
    public func stop() {
        condition.lock()
        let wasRunning = running
        running = false
        work.removeAll()
        condition.broadcast()
        condition.unlock()
        guard wasRunning else { return }
        for _ in 0..<(concurrency + 1) { stopped.wait() }
    }

    private func claimLoop() {
        notifyd_set_thread_name("reconciler")
        var failures = 0
        while true {
            condition.lock()
            guard running else {
                condition.unlock()
                break
            }
            // Claimed and not finished (queued or in a call): at most two per worker.
            let free = concurrency * 2 - inFlight
            condition.unlock()

            var claimed: [OrderReconciliation] = []
            if free > 0 {
                do {
                    let owner = self.owner, lease = step.leaseSeconds
                    claimed = try step.writer.performAndWait { store in try store.claimDueOrders(owner: owner, limit: free, leaseSeconds: lease) }
                    if failures > 0 {
                        logger.notice("claiming due orders again after \(failures) failed attempt(s)")
                        failures = 0
                    }
                } catch {
                    failures += 1
                    if failures == 1 || failures % 60 == 0 {
                        logger.error("cannot claim due orders (\(failures) attempt(s) in a row; retrying): \(error)")
                    }
                }
            }

            condition.lock()
            if !claimed.isEmpty {
                work.append(contentsOf: claimed)
                inFlight += claimed.count
                condition.broadcast()
            }
            // A full share claimed: there may be more due. Otherwise wait a poll.
            if running, claimed.count < free || free <= 0 {
                _ = condition.wait(until: Date().addingTimeInterval(pollInterval))
            }
            condition.unlock()
        }
        stopped.signal()
    }

    private func workLoop(_ index: Int) {
        notifyd_set_thread_name("reconciler-\(index)")
        while true {
            condition.lock()
            while work.isEmpty && running { condition.wait() }
            guard running, !work.isEmpty else {
                condition.unlock()
                break
            }
            let order = work.removeFirst()
            condition.unlock()

            _ = step.run(order, owner: owner)

            condition.lock()
            inFlight -= 1
            condition.broadcast()
            condition.unlock()
        }
        stopped.signal()
    }
}
