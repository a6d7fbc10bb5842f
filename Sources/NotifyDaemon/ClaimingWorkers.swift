import CLinux
import Foundation
import Logging

/// Threads that work through what the ledger says is due, claimed with a
/// lease so that of several daemons on one PostgreSQL ledger one works on an
/// item at a time: a claim thread asks `claim` for as many items as the
/// workers can take (at most two per worker, so a claim never holds more
/// than it works on soon), and `concurrency` workers run `work` on each.
/// The reconciler (due orders) and the refunder (due refund requests) are
/// two of these.
///
/// Killed at any point, they lose nothing: what is due and what was decided
/// is in the ledger, and a claimed item falls due again when its lease runs
/// out (at once after a restart on SQLite, where the daemon releases its
/// earlier life's claims).
public final class ClaimingWorkers<Item: Sendable>: @unchecked Sendable {
    public let name: String
    private let concurrency: Int
    private let pollInterval: Double
    private let claim: @Sendable (_ limit: Int) throws -> [Item]
    private let work: @Sendable (Item) -> Void
    private let logger: Logger
    private let condition = NSCondition()
    private var running = false
    private var inFlight = 0
    private var queue: [Item] = []
    private let stopped = DispatchSemaphore(value: 0)

    /// `pollInterval`: how often to look for due items.
    init(name: String, concurrency: Int = 4, pollInterval: Double, logger: Logger,
         claim: @escaping @Sendable (_ limit: Int) throws -> [Item], work: @escaping @Sendable (Item) -> Void) {
        self.name = name
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.claim = claim
        self.work = work
        self.logger = logger
    }

    public func start() {
        condition.lock()
        running = true
        condition.unlock()
        let claimer = Thread { [self] in claimLoop() }
        claimer.name = name
        claimer.start()
        for index in 0..<concurrency {
            let worker = Thread { [self] in workLoop(index) }
            worker.name = "\(name)-\(index)"
            worker.start()
        }
    }

    /// Stops claiming, lets the work in progress finish and be recorded,
    /// and returns when every thread has ended. Claimed items not started
    /// fall due again when their lease runs out (or at the next start).
    public func stop() {
        condition.lock()
        let wasRunning = running
        running = false
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
        guard wasRunning else { return }
        for _ in 0..<(concurrency + 1) { stopped.wait() }
    }

    private func claimLoop() {
        notifyd_set_thread_name(name)
        var failures = 0
        while true {
            condition.lock()
            guard running else {
                condition.unlock()
                break
            }
            // Claimed and not finished (queued or being worked on): at most two per worker.
            let free = concurrency * 2 - inFlight
            condition.unlock()

            var claimed: [Item] = []
            if free > 0 {
                do {
                    claimed = try claim(free)
                    if failures > 0 {
                        logger.notice("\(name): claiming due work again after \(failures) failed attempt(s)")
                        failures = 0
                    }
                } catch {
                    failures += 1
                    if failures == 1 || failures % 60 == 0 {
                        logger.error("\(name): cannot claim due work (\(failures) attempt(s) in a row; retrying): \(error)")
                    }
                }
            }

            condition.lock()
            if !claimed.isEmpty {
                queue.append(contentsOf: claimed)
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
        notifyd_set_thread_name("\(name)-\(index)")
        while true {
            condition.lock()
            while queue.isEmpty && running { condition.wait() }
            guard running, !queue.isEmpty else {
                condition.unlock()
                break
            }
            let item = queue.removeFirst()
            condition.unlock()

            work(item)

            condition.lock()
            inFlight -= 1
            condition.broadcast()
            condition.unlock()
        }
        stopped.signal()
    }
}
