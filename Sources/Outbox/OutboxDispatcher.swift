import AlipayNotify
import CLinux
import Foundation
import Ledger
import Logging
import Synchronization
import SystemSupport

/// Delivers outbox events to the configured sink, at least once, in order
/// per `out_trade_no`, on threads of its own: a slow or dead sink never
/// slows the answers to Alipay.
///
/// It claims due events through the ledger writer (a lease, so an event is
/// never delivered twice at the same time), hands them to `concurrency`
/// delivery threads, and records each outcome through the writer: delivered;
/// failed and due again after an exponential backoff with jitter; or, after
/// `maximumAttempts`, dead. Killed at any point, it loses nothing: an
/// undelivered event stays pending and is delivered after the restart with
/// the same id (the receiver's idempotency key).
public final class OutboxDispatcher: @unchecked Sendable {
    public struct Settings: Sendable {
        public var concurrency = 4
        public var maximumAttempts = 12
        public var retryBase: Duration = .seconds(2)
        public var retryMaximum: Duration = .seconds(600)
        /// How often due retries are looked for when nothing wakes the dispatcher.
        public var pollInterval: Duration = .seconds(1)
        /// How long a claimed event stays ours: longer than any attempt lasts.
        public var leaseSeconds: Double = 120

        public init() {}

        /// The delay before attempt `attempt + 1`: base × 2^(attempt−1), at
        /// most the maximum, times a random factor in [0.5, 1.5).
        public func retryDelay(afterAttempt attempt: Int) -> Double {
            let base = retryBase.inSeconds
            let exponential = base * pow(2, Double(max(0, attempt - 1)))
            return min(retryMaximum.inSeconds, exponential) * Double.random(in: 0.5..<1.5)
        }
    }

    /// Counters for metrics.
    public final class Statistics: Sendable {
        public let delivered = Atomic<Int>(0)
        public let failed = Atomic<Int>(0)
        public let deadLettered = Atomic<Int>(0)
        init() {}
    }

    public let statistics = Statistics()
    public let sink: any EventSink
    public let owner: String
    private let writer: LedgerWriter
    private let settings: Settings
    private let logger: Logger
    private let condition = NSCondition()
    private var running = false
    private var inFlight = 0
    private var work: [OutboxEvent] = []
    private var woken = false
    private var threads = 0
    private let stopped = DispatchSemaphore(value: 0)

    public init(writer: LedgerWriter, sink: any EventSink, settings: Settings, owner: String, logger: Logger) {
        self.writer = writer
        self.sink = sink
        self.settings = settings
        self.owner = owner
        self.logger = logger
    }

    public func start() {
        condition.lock()
        running = true
        threads = settings.concurrency + 1
        condition.unlock()
        let claimer = Thread { [self] in claimLoop() }
        claimer.name = "outbox"
        claimer.start()
        for index in 0..<settings.concurrency {
            let worker = Thread { [self] in deliveryLoop(index) }
            worker.name = "outbox-\(index)"
            worker.start()
        }
    }

    /// New events were committed: look for work now rather than at the next poll.
    public func wake() {
        condition.lock()
        woken = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops claiming, lets the attempts in progress finish and be recorded,
    /// and returns when every thread has ended.
    public func stop() {
        condition.lock()
        let wasRunning = running
        running = false
        condition.broadcast()
        condition.unlock()
        guard wasRunning else { return }
        for _ in 0..<(settings.concurrency + 1) { stopped.wait() }
    }

    private func claimLoop() {
        notifyd_set_thread_name("outbox")
        var claimFailures = 0
        while true {
            condition.lock()
            guard running else {
                condition.unlock()
                break
            }
            let free = settings.concurrency - inFlight - work.count
            woken = false
            condition.unlock()

            var claimed: [OutboxEvent] = []
            if free > 0 {
                do {
                    let owner = self.owner, lease = settings.leaseSeconds
                    claimed = try writer.performAndWait { store in
                        try store.claimEvents(owner: owner, limit: free, leaseSeconds: lease)
                    }
                    if claimFailures > 0 {
                        logger.notice("claiming outbox events again after \(claimFailures) failed attempt(s)")
                        claimFailures = 0
                    }
                } catch {
                    // While the ledger is away this fails at every poll: say it once, then now and then.
                    claimFailures += 1
                    if claimFailures == 1 || claimFailures % 60 == 0 {
                        logger.error("cannot claim outbox events (\(claimFailures) attempt(s) in a row; retrying): \(error)")
                    }
                }
            }

            condition.lock()
            if !claimed.isEmpty {
                work.append(contentsOf: claimed)
                inFlight += claimed.count
                condition.broadcast()
            }
            // Claimed a full share: there may be more. Otherwise wait to be woken.
            if claimed.count < free || free == 0, running, !woken {
                _ = condition.wait(until: Date().addingTimeInterval(settings.pollInterval.inSeconds))
            }
            condition.unlock()
        }
        stopped.signal()
    }

    private func deliveryLoop(_ index: Int) {
        notifyd_set_thread_name("outbox-\(index)")
        while true {
            condition.lock()
            while work.isEmpty && running { condition.wait() }
            if work.isEmpty {
                condition.unlock()
                break
            }
            let event = work.removeFirst()
            condition.unlock()

            deliver(event)

            condition.lock()
            inFlight -= 1
            woken = true
            condition.broadcast()
            condition.unlock()
        }
        stopped.signal()
    }

    private func deliver(_ event: OutboxEvent) {
        let attempt = event.attempts + 1
        let result = sink.deliver(event, attempt: attempt)
        let owner = self.owner
        let metadata: Logger.Metadata = ["event": "\(event.id)", "kind": "\(event.kind.rawValue)",
                                         "out_trade_no": "\(event.outTradeNo)", "attempt": "\(attempt)"]
        do {
            switch result {
            case .delivered:
                try writer.performAndWait { store in try store.markDelivered(event.id, owner: owner) }
                statistics.delivered.add(1, ordering: .relaxed)
                logger.info("event delivered", metadata: metadata)
            case .failed(let reason):
                statistics.failed.add(1, ordering: .relaxed)
                if attempt >= settings.maximumAttempts {
                    try writer.performAndWait { store in try store.markFailed(event.id, owner: owner, error: reason, retryAt: nil) }
                    statistics.deadLettered.add(1, ordering: .relaxed)
                    logger.error("event dead-lettered after \(attempt) attempts: \(reason); redeliver it with 'alipay-notifyd events redeliver \(event.id)' once the sink works",
                                 metadata: metadata)
                } else {
                    let delay = settings.retryDelay(afterAttempt: attempt)
                    let retryAt = Timestamp.fromNow(seconds: delay)
                    try writer.performAndWait { store in try store.markFailed(event.id, owner: owner, error: reason, retryAt: retryAt) }
                    var details = metadata
                    details["retry_in_s"] = "\((delay * 10).rounded() / 10)"
                    logger.warning("event delivery failed: \(reason)", metadata: details)
                }
            }
        } catch {
            // The outcome could not be recorded: the lease runs out and the
            // event is delivered again (the receiver sees the same id).
            logger.error("cannot record the delivery of \(event.id): \(error)")
        }
    }
}
