import AlipayNotify
import Ledger

/// The JSON the admin listener answers and `--json` prints: the same
/// documents in both, amounts as yuan strings plus integer fen.
public enum LedgerJSON {
    static func optional(_ text: String?) -> String { text.map(JSONText.string) ?? "null" }

    /// One order, the same document in `GET /trades/…`, `trade show --json`
    /// and each line of `orders list --json` (whose first fields it keeps first).
    public static func order(_ order: MerchantOrder) -> String {
        "{\"out_trade_no\":\(JSONText.string(order.outTradeNo)),\"total_amount\":\"\(order.totalAmount)\","
            + "\"business_order\":\(optional(order.businessOrder)),\"created_at\":\"\(order.createdAt)\","
            + "\"total_fen\":\(order.totalAmount.value),\"state\":\"\(order.state.rawValue)\",\"expires_at\":\(optional(order.expiresAt))}"
    }

    public static func event(_ event: OutboxEvent) -> String {
        "{\"id\":\(JSONText.string(event.id)),\"seq\":\(event.seq),\"kind\":\"\(event.kind.rawValue)\","
            + "\"state\":\"\(event.state.rawValue)\",\"out_trade_no\":\(JSONText.string(event.outTradeNo)),"
            + "\"source\":\(JSONText.string(event.source)),\"notify_id\":\(optional(event.notifyID)),\"trade_no\":\(optional(event.tradeNo)),"
            + "\"business_order\":\(optional(event.businessOrder)),\"amount\":\"\(event.amount)\",\"amount_fen\":\(event.amount.value),"
            + "\"refunded_total\":\(optional(event.refundedTotal?.description)),\"close_reason\":\(optional(event.closeReason?.rawValue)),"
            + "\"created_at\":\"\(event.createdAt)\",\"attempts\":\(event.attempts),\"next_attempt_at\":\(optional(event.nextAttemptAt)),"
            + "\"last_error\":\(optional(event.lastError)),\"delivered_at\":\(optional(event.deliveredAt)),"
            + "\"lease_owner\":\(optional(event.leaseOwner)),\"lease_until\":\(optional(event.leaseUntil))}"
    }

    public static func events(_ events: [OutboxEvent]) -> String {
        "{\"events\":[" + events.map(event).joined(separator: ",") + "]}"
    }

    public static func trade(_ details: TradeDetails) -> String {
        var trade = "null"
        if let record = details.trade {
            trade = "{\"status\":\"\(record.status.rawValue)\",\"trade_no\":\(optional(record.tradeNo)),"
                + "\"total_amount\":\"\(record.totalAmount)\",\"paid\":\(record.paid),\"shipped\":\(record.shipped),"
                + "\"shipped_at\":\(optional(details.shippedAt)),\"duplicate_payment\":\(record.duplicatePayment),"
                + "\"refunded\":\"\(record.refunded)\",\"closed\":\(optional(record.closeReason?.rawValue))}"
        }
        let notifications = details.notifications.map { n in
            "{\"notify_id\":\(JSONText.string(n.notifyID)),\"source\":\(JSONText.string(n.source)),\"trade_status\":\"\(n.tradeStatus)\",\"total_amount\":\"\(n.totalAmount)\","
                + "\"refund_fee\":\(optional(n.refundFee?.description)),\"notify_time\":\(optional(n.notifyTime)),"
                + "\"received_at\":\"\(n.receivedAt)\",\"decision\":\"\(n.decision)\"}"
        }
        let quarantined = details.quarantined.map { q in
            "{\"reason\":\"\(q.reason)\",\"detail\":\(JSONText.string(q.detail)),\"notify_id\":\(optional(q.notifyID)),"
                + "\"times_seen\":\(q.timesSeen),\"last_seen_at\":\"\(q.lastSeenAt)\"}"
        }
        return "{\"out_trade_no\":\(JSONText.string(details.outTradeNo)),\"order\":\(details.order.map(order) ?? "null"),"
            + "\"trade\":\(trade),\"notifications\":[\(notifications.joined(separator: ","))],"
            + "\"events\":[\(details.events.map(event).joined(separator: ","))],\"quarantined\":[\(quarantined.joined(separator: ","))],"
            + "\"gateway_calls\":[\(details.gatewayCalls.map(gatewayCall).joined(separator: ","))],"
            + "\"reconciliation\":\(reconciliation(details)),\"refunds\":[\(details.refunds.map(refund).joined(separator: ","))]}"
    }

    /// The order's schedule of questions to Alipay and their history (the
    /// queries and closes, with what each answered); null without an order.
    static func reconciliation(_ details: TradeDetails) -> String {
        guard let schedule = details.reconciliation else { return "null" }
        let history = details.gatewayCalls.filter { $0.method == "alipay.trade.query" || $0.method == "alipay.trade.close" }
        return "{\"state\":\"\(schedule.order.state.rawValue)\",\"next_query_at\":\(optional(schedule.nextQueryAt)),"
            + "\"queries\":\(schedule.queries),\"unknown_since\":\(optional(schedule.unknownSince)),"
            + "\"close_requested_at\":\(optional(schedule.closeRequestedAt)),\"claimed_by\":\(optional(schedule.leaseOwner)),"
            + "\"history\":[\(history.map(gatewayCall).joined(separator: ","))]}"
    }

    /// One refund request and where it stands.
    public static func refund(_ request: RefundRequest) -> String {
        "{\"out_trade_no\":\(JSONText.string(request.outTradeNo)),\"request_no\":\(JSONText.string(request.requestNo)),"
            + "\"amount\":\"\(request.amount)\",\"amount_fen\":\(request.amount.value),\"reason\":\(JSONText.string(request.reason)),"
            + "\"origin\":\"\(request.origin.rawValue)\",\"state\":\"\(request.state.rawValue)\",\"attempts\":\(request.attempts),"
            + "\"next_call\":\"\(request.nextCall.rawValue)\",\"next_attempt_at\":\(optional(request.nextAttemptAt)),"
            + "\"unknown_since\":\(optional(request.unknownSince)),\"sent_at\":\(optional(request.sentAt)),"
            + "\"last_answer\":\(optional(request.lastAnswer)),\"sub_code\":\(optional(request.subCode)),"
            + "\"created_at\":\"\(request.createdAt)\",\"updated_at\":\"\(request.updatedAt)\"}"
    }

    /// One call to Alipay's gateway and what came of it.
    public static func gatewayCall(_ call: GatewayCall) -> String {
        "{\"id\":\(JSONText.string(call.id)),\"method\":\(JSONText.string(call.method)),\"out_trade_no\":\(JSONText.string(call.outTradeNo)),"
            + "\"requested_at\":\"\(call.requestedAt)\",\"answered_at\":\"\(call.answeredAt)\",\"outcome\":\"\(call.outcome.rawValue)\","
            + "\"code\":\(optional(call.code)),\"sub_code\":\(optional(call.subCode)),\"detail\":\(optional(call.detail)),"
            + "\"trade_status\":\(optional(call.tradeStatus))}"
    }

    public static func error(_ message: String) -> String {
        "{\"error\":\(JSONText.string(message))}"
    }
}
