import CLinux
import Foundation
import Ledger
import Logging

/// Keeps a ledger that lives on another machine (PostgreSQL) in reach:
/// connects at start-up and again after a loss without waiting for a
/// notification to ask, with backoff, and says in the log when the ledger
/// goes away and when it is back. Meanwhile notifications are answered
/// 503 by the writer, so Alipay retries them.
///
/// It probes through the ledger writer (a small write and commit), so
/// "reachable" means the daemon can record a notification now.
package final class LedgerReachability: Sendable {
    private let writer: LedgerWriter
    private let logger: Logger
    private let instance: String
    private let ledger: String
    private let stopSignal = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let healthyInterval: Double
    private let backoffMaximum: Double
    private let onFirstReach: @Sendable () -> Void

    init(writer: LedgerWriter, logger: Logger, instance: String, ledger: String,
         healthyInterval: Double = 5, backoffMaximum: Double = 5, onFirstReach: @escaping @Sendable () -> Void = {}) {
        self.onFirstReach = onFirstReach
        self.writer = writer
        self.logger = logger
        self.instance = instance
        self.ledger = ledger
        self.healthyInterval = healthyInterval
        self.backoffMaximum = backoffMaximum
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "ledger-reach"
        thread.start()
    }

    /// Stops probing (before the writer shuts down).
    func stop() {
        stopSignal.signal()
        stopped.wait()
    }

    private func run() {
        notifyd_set_thread_name("ledger-reach")
        var failures = 0
        var everReached = false
        while true {
            let wait: Double
            do {
                let instance = self.instance
                try writer.performAndWait { store in try store.probeWrite(instance: instance) }
                if !everReached {
                    logger.notice("ledger \(ledger) reachable")
                    onFirstReach()
                } else if failures > 0 {
                    logger.notice("ledger \(ledger) reachable again after \(failures) failed probe(s); recording notifications")
                }
                everReached = true
                failures = 0
                wait = healthyInterval
            } catch {
                failures += 1
                wait = min(backoffMaximum, 0.25 * pow(2, Double(min(failures, 8))))
                // Say it at once, then about once a minute while it lasts.
                if failures == 1 || failures % max(1, Int(60 / backoffMaximum)) == 0 {
                    logger.error("cannot reach the ledger \(ledger) (\(failures) attempt(s)); answering fail (503) until it is back, retrying in \(String(format: "%.1f", wait)) s: \(error)")
                }
            }
            if stopSignal.wait(timeout: .now() + wait) == .success { break }
        }
        stopped.signal()
    }
}
