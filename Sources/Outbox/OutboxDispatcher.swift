import AlipayNotify
import Foundation
import Ledger
import Logging
import Synchronization
import SystemSupport
import Workers

/// Delivers outbox events to the configured sink, at least once, in order
/// per `out_trade_no`, on threads of its own: a slow or dead sink never
/// slows the answers to Alipay.
///
/// Its claiming workers (`ClaimingWorkers`) claim due events through the
/// ledger writer (a lease, renewed while an attempt lasts, so an event is
/// never delivered twice at the same time), one per idle delivery thread of
/// `concurrency`, and each outcome is recorded through the writer: delivered;
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
    private var workers: ClaimingWorkers<OutboxEvent>!

    public init(writer: LedgerWriter, sink: any EventSink, settings: Settings, owner: String, logger: Logger) {
        self.writer = writer
        self.sink = sink
        self.settings = settings
        self.owner = owner
        self.logger = logger
        workers = ClaimingWorkers(
            name: "outbox", concurrency: settings.concurrency, pollInterval: settings.pollInterval.inSeconds,
            leaseSeconds: settings.leaseSeconds, logger: logger,
            claim: { limit, lease in
                try writer.performAndWait { store in try store.claimEvents(owner: owner, limit: limit, leaseSeconds: lease) }
            },
            renew: { events, lease in
                let ids = events.map(\.id)
                _ = try writer.performAndWait { store in try store.renewEventLeases(ids, owner: owner, leaseSeconds: lease) }
            },
            work: { [unowned self] event in deliver(event) })
    }

    public func start() {
        workers.start()
    }

    /// New events were committed: look for work now rather than at the next poll.
    public func wake() {
        workers.wake()
    }

    /// Stops claiming, lets the attempts in progress finish and be recorded,
    /// and returns when every thread has ended.
    public func stop() {
        workers.stop()
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
