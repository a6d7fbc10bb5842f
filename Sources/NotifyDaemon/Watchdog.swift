import Foundation
import HTTPServer
import Ledger
import Synchronization
import SystemSupport

/// Keeps systemd's watchdog fed only while the daemon really works: every
/// interval it sends a no-op through every event loop and through the ledger
/// writer (and, for SQLite, its fsync), and `WATCHDOG=1` goes out from the
/// writer's side only when all of them came back. A wedged loop, a writer
/// stuck in a transaction or a disk that never finishes an fsync stops the
/// heartbeat, and systemd restarts the service.
package final class Watchdog: Sendable {
    private let notifier: SystemdNotifier
    private let interval: Duration
    private let server: HTTPServer
    private let writer: LedgerWriter
    private let inFlight = Atomic<Bool>(false)
    private let stopSignal = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    init(notifier: SystemdNotifier, interval: Duration, server: HTTPServer, writer: LedgerWriter) {
        self.notifier = notifier
        self.interval = interval
        self.server = server
        self.writer = writer
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "watchdog"
        thread.start()
    }

    func stop() {
        stopSignal.signal()
        stopped.wait()
    }

    private func run() {
        while stopSignal.wait(timeout: .now() + interval.inSeconds) == .timedOut {
            // The previous heartbeat has not come back: something is stuck; send nothing.
            guard !inFlight.exchange(true, ordering: .relaxed) else { continue }
            server.heartbeat { [self] in
                writer.perform({ _ in true }) { [self] result in
                    if case .success = result { notifier.send("WATCHDOG=1") }
                    inFlight.store(false, ordering: .relaxed)
                }
            }
        }
        stopped.signal()
    }
}
