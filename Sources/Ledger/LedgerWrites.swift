import AlipayNotify

/// The statements that write a notification's rows, with the values that
/// go with them: one text and one value list serve both stores. The text
/// numbers its parameters `$1…` as PostgreSQL does; `SQLDialect` renders it
/// for SQLite (`?1…`). Booleans are bound as 0/1 and cast for PostgreSQL.
enum LedgerWrites {
    static let insertNotification = """
        INSERT INTO notifications(notify_id, out_trade_no, trade_status, trade_no, total_fen, refund_fen,
                                  out_biz_no, notify_time, received_at, decision, raw_body)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (notify_id) DO NOTHING
        """

    static func notificationValues(_ accepted: AcceptedNotification, decision: String) -> [SQLValue] {
        let n = accepted.notification
        return [
            .text(n.notifyID), .text(n.outTradeNo), .text(n.tradeStatus.rawValue), .optional(n.tradeNo),
            .integer(n.totalAmount.value), .optional(n.refundFee?.value), .optional(n.outBizNo),
            .optional(n.notifyTime), .text(accepted.receivedAt), .text(decision), .blob(accepted.rawBody),
        ]
    }

    /// The trade's new state; the first shipment's time and notify_id are never overwritten.
    static let upsertTrade = """
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
        """

    static func tradeValues(_ trade: TradeRecord, businessOrder: String?, shipment: ShipmentFacts?, at time: String) -> [SQLValue] {
        [
            .text(trade.outTradeNo), .optional(trade.tradeNo), .text(trade.status.rawValue),
            .integer(trade.totalAmount.value), .integer(trade.paid ? 1 : 0), .integer(trade.shipped ? 1 : 0),
            .integer(trade.duplicatePayment ? 1 : 0), .integer(trade.refunded.value),
            .optional(trade.closeReason?.rawValue), .optional(businessOrder), .text(time),
            .optional(shipment?.shippedAt), .optional(shipment?.notifyID),
        ]
    }

    /// An outbox event, due at once; its stable id makes a second insert a no-op.
    static let insertEvent = """
        INSERT INTO events(id, kind, out_trade_no, notify_id, trade_no, business_order, amount_fen,
                           refunded_total_fen, close_reason, created_at, next_attempt_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
        ON CONFLICT (id) DO NOTHING
        """

    static func eventValues(_ event: PlannedEvent, context: EventContext) -> [SQLValue] {
        [
            .text(event.id), .text(event.kind.rawValue), .text(context.outTradeNo), .text(context.notifyID),
            .optional(context.tradeNo), .optional(context.businessOrder), .integer(event.amount.value),
            .optional(event.refundedTotal?.value), .optional(event.closeReason?.rawValue), .text(context.createdAt),
        ]
    }

    /// A refused notification, once per reason and notify_id, counted on every retry.
    static let upsertQuarantine = """
        INSERT INTO quarantine(dedup_key, reason, detail, notify_id, out_trade_no, app_id, total_amount,
                               first_seen_at, last_seen_at, raw_body)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
        ON CONFLICT (dedup_key) DO UPDATE SET last_seen_at = excluded.last_seen_at, times_seen = quarantine.times_seen + 1
        """

    static func quarantineValues(_ entry: QuarantineEntry, at time: String) -> [SQLValue] {
        [
            .text(entry.deduplicationKey), .text(entry.reason.code), .text(entry.reason.description),
            .optional(entry.notifyID), .optional(entry.outTradeNo), .optional(entry.appID),
            .optional(entry.totalAmount), .text(time), .blob(entry.rawBody),
        ]
    }

    static let insertPayer = "INSERT INTO business_order_payments(business_order, out_trade_no, paid_at) VALUES ($1, $2, $3)"

    static func payerValues(_ businessOrder: String, outTradeNo: String, at time: String) -> [SQLValue] {
        [.text(businessOrder), .text(outTradeNo), .text(time)]
    }
}

/// How a statement of `LedgerWrites` is written for one database.
enum SQLDialect {
    case sqlite
    case postgres

    /// `$n::boolean` and `$n` become `?n` for SQLite; PostgreSQL takes the text as it is.
    func render(_ sql: String) -> String {
        guard self == .sqlite else { return sql }
        return sql.replacing("::boolean", with: "").replacing(/\$(\d+)/) { "?" + $0.1 }
    }
}
