import AlipayNotify

/// The statements that write an observation's rows, with the values that go
/// with them: one text and one value list serve both stores. The text
/// numbers its parameters `$1…` as PostgreSQL does; `SQLDialect` renders it
/// for SQLite (`?1…`). Booleans are bound as 0/1 and cast for PostgreSQL.
enum LedgerWrites {
    /// The trade's history: every observation once per trade and id (a
    /// notification's notify_id, a gateway answer's own id), with its raw bytes.
    static let insertObservation = SQLStatement("""
        INSERT INTO notifications(notify_id, source, out_trade_no, trade_status, trade_no, total_fen, refund_fen,
                                  out_biz_no, notify_time, received_at, decision, raw_body)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (out_trade_no, notify_id) DO NOTHING
        """)

    static func observationValues(_ accepted: AcceptedObservation, decision: String) -> [SQLValue] {
        let o = accepted.observation
        return [
            .text(o.source.id), .text(o.source.kind), .text(o.outTradeNo), .text(o.tradeStatus.rawValue), .optional(o.tradeNo),
            .integer(o.totalAmount.value), .optional(o.refundFee?.value), .optional(o.outBizNo),
            .optional(o.statedAt), .text(accepted.receivedAt), .text(decision), .blob(accepted.rawBody),
        ]
    }

    /// The trade's new state; the first shipment's time and notify_id are never overwritten.
    static let upsertTrade = SQLStatement("""
        INSERT INTO trades(out_trade_no, trade_no, status, total_fen, paid, shipped, duplicate_payment,
                           refunded_fen, close_reason, business_order, updated_at, shipped_at, ship_notify_id)
        VALUES ($1, $2, $3, $4, $5::boolean, $6::boolean, $7::boolean, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (out_trade_no) DO UPDATE SET
            trade_no = excluded.trade_no, status = excluded.status, paid = excluded.paid,
            shipped = excluded.shipped, duplicate_payment = excluded.duplicate_payment,
            refunded_fen = excluded.refunded_fen, close_reason = excluded.close_reason,
            updated_at = excluded.updated_at,
            shipped_at = coalesce(trades.shipped_at, excluded.shipped_at),
            ship_notify_id = coalesce(trades.ship_notify_id, excluded.ship_notify_id)
        """)

    /// `shippedBy`: the observation that shipped the trade, when this one did.
    static func tradeValues(_ trade: TradeRecord, businessOrder: String?, shippedBy: ObservationSource?, at time: String) -> [SQLValue] {
        [
            .text(trade.outTradeNo), .optional(trade.tradeNo), .text(trade.status.rawValue),
            .integer(trade.totalAmount.value), .integer(trade.paid ? 1 : 0), .integer(trade.shipped ? 1 : 0),
            .integer(trade.duplicatePayment ? 1 : 0), .integer(trade.refunded.value),
            .optional(trade.closeReason?.rawValue), .optional(businessOrder), .text(time),
            shippedBy == nil ? .null : .text(time), .optional(shippedBy?.id),
        ]
    }

    /// An outbox event, due at once; its stable id makes a second insert a no-op.
    static let insertEvent = SQLStatement("""
        INSERT INTO events(id, kind, out_trade_no, source, notify_id, trade_no, business_order, amount_fen,
                           refunded_total_fen, close_reason, created_at, next_attempt_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
        ON CONFLICT (id) DO NOTHING
        """)

    static func eventValues(_ event: PlannedEvent, source: ObservationSource, tradeNo: String?, businessOrder: String?,
                            at time: String) -> [SQLValue] {
        [
            .text(event.id), .text(event.kind.rawValue), .text(event.outTradeNo), .text(source.kind), .optional(source.notifyID),
            .optional(tradeNo), .optional(businessOrder), .integer(event.amount.value),
            .optional(event.refundedTotal?.value), .optional(event.closeReason?.rawValue), .text(time),
        ]
    }

    /// A refused observation, once per reason and id, counted on every retry.
    static let upsertQuarantine = SQLStatement("""
        INSERT INTO quarantine(dedup_key, reason, detail, notify_id, out_trade_no, app_id, total_amount,
                               first_seen_at, last_seen_at, raw_body)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
        ON CONFLICT (dedup_key) DO UPDATE SET last_seen_at = excluded.last_seen_at, times_seen = quarantine.times_seen + 1
        """)

    static func quarantineValues(_ entry: QuarantineEntry, at time: String) -> [SQLValue] {
        [
            .text(entry.deduplicationKey), .text(entry.reason.code), .text(entry.reason.description),
            .optional(entry.sourceID), .optional(entry.outTradeNo), .optional(entry.appID),
            .optional(entry.totalAmount?.description), .text(time), .blob(entry.rawBody),
        ]
    }

    static let insertPayer = SQLStatement("INSERT INTO business_order_payments(business_order, out_trade_no, paid_at) VALUES ($1, $2, $3)")

    /// A new order; an existing one is left as it is (and compared by the caller).
    static let insertOrder = SQLStatement("""
        INSERT INTO orders(out_trade_no, total_fen, business_order, created_at, expires_at, state, next_query_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (out_trade_no) DO NOTHING
        """)

    static func orderValues(_ order: MerchantOrder, firstQueryAt: String?) -> [SQLValue] {
        [.text(order.outTradeNo), .integer(order.totalAmount.value), .optional(order.businessOrder), .text(order.createdAt),
         .optional(order.expiresAt), .text(order.state.rawValue), .optional(firstQueryAt)]
    }

    /// A payment or an unpaid close recorded for an order ends its
    /// reconciliation: it is never asked about again (a paid order stays paid).
    static let settleOrder = SQLStatement("""
        UPDATE orders SET state = $2, next_query_at = NULL, unknown_since = NULL, close_requested_at = NULL, lease_owner = NULL
        WHERE out_trade_no = $1 AND state <> $2 AND state <> 'paid'
        """)

    /// The readiness check's small write.
    static let upsertProbe = SQLStatement("""
        INSERT INTO readiness_probe(instance, probed_at) VALUES ($1, $2)
        ON CONFLICT (instance) DO UPDATE SET probed_at = excluded.probed_at
        """)

    /// A gateway call and what came of it; recording the same call twice is a no-op.
    static let insertGatewayCall = SQLStatement("""
        INSERT INTO gateway_calls(id, method, out_trade_no, requested_at, answered_at, outcome, code, sub_code, detail,
                                  trade_status, raw_answer)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (id) DO NOTHING
        """)

    static func gatewayCallValues(_ call: GatewayCall) -> [SQLValue] {
        [
            .text(call.id), .text(call.method), .text(call.outTradeNo), .text(call.requestedAt), .text(call.answeredAt),
            .text(call.outcome.rawValue), .optional(call.code), .optional(call.subCode), .optional(call.detail.map { String($0.prefix(500)) }),
            .optional(call.tradeStatus), .blob(call.rawAnswer),
        ]
    }
}
