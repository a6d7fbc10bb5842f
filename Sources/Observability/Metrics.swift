import Foundation
import HTTPServer
import Ledger
import Outbox
import Synchronization
import Locking

/// What the daemon counts for `GET /metrics`: notifications by outcome,
/// answer latency, commit batches and fsyncs. The outbox and the HTTP server
/// keep their own counters; `render` reads them all at scrape time.
package final class Metrics: Sendable {
    let accepted = Atomic<Int>(0)
    let duplicates = Atomic<Int>(0)
    package let badSignatures = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    private let rejected = Locked<[String: Int]>([:])
    package let requestSeconds = Histogram(bounds: Histogram.latencySeconds)
    package let commitBatchSize = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
    package let commitSeconds = Histogram(bounds: Histogram.latencySeconds)
    package let fsyncSeconds = Histogram(bounds: Histogram.latencySeconds)
    package let reloads = Locked<(succeeded: Int, failed: Int)>((0, 0))
    /// Calls to Alipay's gateway by method and result.
    private let gatewayCalls = Locked<[GatewayCallKey: Int]>([:])
    /// Orders this process handed to a person (`attention`).
    package let ordersToAttention = Atomic<Int>(0)
    /// Refund requests this process handed to a person.
    package let refundsToAttention = Atomic<Int>(0)
    /// Reads of the scrape's ledger gauges that failed.
    package let ledgerReadErrors = Atomic<Int>(0)

    package init() {}

    struct GatewayCallKey: Hashable {
        let method: String
        let result: String
    }

    /// Counts a call of `method` by its result: `success`, the refusal's
    /// kind (`no_such_trade`, `business_refusal`, `configuration_error`,
    /// `rate_limited`) or `unknown`.
    package func countGatewayCall(method: String, result: String) {
        gatewayCalls.withLock { $0[GatewayCallKey(method: method, result: result), default: 0] += 1 }
    }

    package func countOutcome(_ outcome: LedgerOutcome) {
        switch outcome {
        case .recorded: accepted.add(1, ordering: .relaxed)
        case .duplicate: duplicates.add(1, ordering: .relaxed)
        case .rejected(let reason): rejected.withLock { $0[reason.code, default: 0] += 1 }
        case .unavailable: errors.add(1, ordering: .relaxed)
        }
    }

    /// Everything in Prometheus text format. `backlog` is read from the
    /// ledger by the caller (nil when the ledger cannot be read now).
    package func render(server: HTTPServer, dispatcher: OutboxDispatcher?,
                backlog: (pending: Int, dead: Int, oldestPendingCreatedAt: String?)?, orders: OrderCounts? = nil,
                refunds: RefundCounts? = nil) -> String {
        var text = PrometheusText()
        let rejectedByReason = rejected.withLock { $0 }.sorted { $0.key < $1.key }
        var outcomes: [([(String, String)], Double)] = [
            ([("outcome", "accepted")], Double(accepted.load(ordering: .relaxed))),
            ([("outcome", "duplicate")], Double(duplicates.load(ordering: .relaxed))),
            ([("outcome", "bad_signature")], Double(badSignatures.load(ordering: .relaxed))),
            ([("outcome", "error")], Double(errors.load(ordering: .relaxed))),
        ]
        for (reason, count) in rejectedByReason { outcomes.append(([("outcome", "rejected"), ("reason", reason)], Double(count))) }
        text.counter("alipay_notifyd_notifications_total",
                     "Notifications answered, by outcome: accepted (recorded), duplicate, bad_signature (answered fail), rejected (quarantined, with the reason), error (ledger unavailable, answered 503).",
                     outcomes)
        text.histogram("alipay_notifyd_request_duration_seconds", "Time from a notification's arrival to its answer.", requestSeconds)
        text.histogram("alipay_notifyd_commit_batch_size", "Notifications recorded per ledger transaction (group commit).", commitBatchSize)
        text.histogram("alipay_notifyd_commit_duration_seconds", "Time to apply and commit one ledger transaction.", commitSeconds)
        text.histogram("alipay_notifyd_fsync_duration_seconds", "Time of the fsync that makes committed SQLite transactions durable.", fsyncSeconds)

        let statistics = server.statistics
        text.gauge("alipay_notifyd_open_connections", "HTTP connections open now (notify and admin listeners).", Double(server.openConnectionCount))
        text.counter("alipay_notifyd_connections_total", "HTTP connections accepted, and refused at the connection limit.", [
            ([("result", "accepted")], Double(statistics.connectionsAccepted.load(ordering: .relaxed))),
            ([("result", "refused")], Double(statistics.connectionsRefused.load(ordering: .relaxed))),
        ])
        text.counter("alipay_notifyd_http_rejected_total", "Requests the HTTP server refused itself (malformed, too large, timed out).", [
            ([("status", "400")], Double(statistics.rejected400.load(ordering: .relaxed))),
            ([("status", "413")], Double(statistics.rejected413.load(ordering: .relaxed))),
            ([("status", "431")], Double(statistics.rejected431.load(ordering: .relaxed))),
            ([("status", "other")], Double(statistics.rejectedOther.load(ordering: .relaxed))),
            ([("status", "timeout")], Double(statistics.timeouts.load(ordering: .relaxed))),
        ])

        if let backlog {
            text.gauge("alipay_notifyd_outbox_pending_events", "Outbox events not delivered yet.", Double(backlog.pending))
            text.gauge("alipay_notifyd_outbox_oldest_pending_age_seconds", "Age of the oldest undelivered outbox event (0 when none).",
                       max(0, backlog.oldestPendingCreatedAt.flatMap(Timestamp.secondsSince) ?? 0))
            text.gauge("alipay_notifyd_outbox_dead_events", "Dead-lettered outbox events waiting for 'events redeliver'.", Double(backlog.dead))
        }
        text.gauge("alipay_notifyd_ledger_readable", "1 when the ledger answered this scrape, 0 when it could not be read.", backlog == nil ? 0 : 1)
        text.counter("alipay_notifyd_ledger_read_errors_total", "Reads of the ledger's gauges (backlog, orders and refunds by state) that failed; the log says why.",
                     Double(ledgerReadErrors.load(ordering: .relaxed)))
        if let dispatcher {
            let deliveries = dispatcher.statistics
            text.counter("alipay_notifyd_deliveries_total", "Outbox delivery attempts by this process, by result.", [
                ([("result", "delivered")], Double(deliveries.delivered.load(ordering: .relaxed))),
                ([("result", "failed")], Double(deliveries.failed.load(ordering: .relaxed))),
                ([("result", "dead_lettered")], Double(deliveries.deadLettered.load(ordering: .relaxed))),
            ])
        }
        renderReconciliation(&text, orders: orders)
        renderRefunds(&text, refunds: refunds)
        let (reloaded, refused) = reloads.withLock { $0 }
        text.counter("alipay_notifyd_reloads_total", "Configuration reloads (SIGHUP), by result.", [
            ([("result", "applied")], Double(reloaded)), ([("result", "refused")], Double(refused)),
        ])
        text.gauge("alipay_notifyd_build_info", "The running build.", [([("version", BuildVersion.current)], 1)])
        return text.text
    }

    /// Calls to Alipay, orders by state, the oldest open order and the payment success rate.
    private func renderReconciliation(_ text: inout PrometheusText, orders: OrderCounts?) {
        let calls = gatewayCalls.withLock { $0 }.sorted { ($0.key.method, $0.key.result) < ($1.key.method, $1.key.result) }
        text.counter("alipay_notifyd_gateway_calls_total",
                     "Calls to Alipay's gateway by this process, by method and result (success, no_such_trade, business_refusal, configuration_error, rate_limited, unknown).",
                     calls.map { ([("method", $0.key.method), ("result", $0.key.result)], Double($0.value)) })
        text.counter("alipay_notifyd_orders_attention_total", "Orders this process handed to a person (state attention) after unknown results.",
                     Double(ordersToAttention.load(ordering: .relaxed)))
        guard let orders else { return }
        text.gauge("alipay_notifyd_orders", "Orders in the ledger by state (open, paid, closed, expired, attention).",
                   OrderState.allCases.map { ([("state", $0.rawValue)], Double(orders.count($0))) })
        text.gauge("alipay_notifyd_oldest_open_order_age_seconds", "Age of the oldest open order the reconciler asks about (0 when none).",
                   max(0, orders.oldestOpenCreatedAt.flatMap(Timestamp.secondsSince) ?? 0))
        if let rate = orders.paymentSuccessRate {
            text.gauge("alipay_notifyd_payment_success_ratio", "paid / (paid + closed + expired) over the ledger's orders: Alipay asks merchants to keep it above 0.95 with barcode payments.", rate)
        }
    }

    /// Refund requests by state and the oldest one a person should look at.
    private func renderRefunds(_ text: inout PrometheusText, refunds: RefundCounts?) {
        text.counter("alipay_notifyd_refunds_attention_total", "Refund requests this process handed to a person (state attention) after unknown results.",
                     Double(refundsToAttention.load(ordering: .relaxed)))
        guard let refunds else { return }
        text.gauge("alipay_notifyd_refund_requests", "Refund requests in the ledger by state (pending, succeeded, failed, attention).",
                   RefundState.allCases.map { ([("state", $0.rawValue)], Double(refunds.count($0))) })
        text.gauge("alipay_notifyd_refund_oldest_attention_seconds", "How long the oldest refund request in attention has been unknown (0 when none).",
                   max(0, refunds.oldestAttentionSince.flatMap(Timestamp.secondsSince) ?? 0))
    }
}

/// The version the binary reports in `--version` and in its metrics.
public enum BuildVersion {
    public static let current = "0.1.0"
}
