import AlipayNotify

/// How the ledger's rows become values, written once against `SQLRow` for
/// both stores, next to the column lists the reads select.
enum LedgerRows {
    static let orderColumns = "out_trade_no, total_fen, business_order, created_at, expires_at, state"

    static func order(_ row: some SQLRow) -> MerchantOrder {
        MerchantOrder(outTradeNo: row.text(0), totalAmount: Fen(row.int(1)), businessOrder: row.optionalText(2), createdAt: row.text(3),
                      expiresAt: row.optionalText(4), state: OrderState(rawValue: row.text(5)) ?? .open)
    }

    static let reconciliationColumns = "\(orderColumns), next_query_at, queries, unknown_since, close_requested_at, lease_owner, close_answered_at"

    static func reconciliation(_ row: some SQLRow) -> OrderReconciliation {
        OrderReconciliation(order: order(row), nextQueryAt: row.optionalText(6), queries: Int(row.int(7)),
                            unknownSince: row.optionalText(8), closeRequestedAt: row.optionalText(9), leaseOwner: row.optionalText(10),
                            closeAnsweredAt: row.optionalText(11))
    }

    /// A serial as `ReconciliationStatements.serials` selects it: the
    /// reconciliation's columns, then its trade's last observation.
    static func businessOrderSerial(_ row: some SQLRow) -> BusinessOrderSerial {
        BusinessOrderSerial(reconciliation: reconciliation(row), lastObservedAt: row.optionalText(12))
    }

    static let tradeColumns = "out_trade_no, status, trade_no, total_fen, paid, shipped, duplicate_payment, refunded_fen, close_reason"

    static func trade(_ row: some SQLRow) -> TradeRecord {
        TradeRecord(
            outTradeNo: row.text(0), status: TradeStatus(rawValue: row.text(1)) ?? .waitBuyerPay,
            tradeNo: row.optionalText(2), totalAmount: Fen(row.int(3)), paid: row.bool(4),
            shipped: row.bool(5), duplicatePayment: row.bool(6), refunded: Fen(row.int(7)),
            closeReason: row.optionalText(8).flatMap(CloseReason.init(rawValue:))
        )
    }

    static let eventColumns = """
        id, seq, kind, out_trade_no, source, notify_id, trade_no, business_order, amount_fen, refunded_total_fen,
        close_reason, created_at, state, attempts, next_attempt_at, last_error, delivered_at, lease_owner, lease_until
        """

    static func event(_ row: some SQLRow) -> OutboxEvent {
        OutboxEvent(
            id: row.text(0), seq: row.int(1), kind: LedgerEventKind(rawValue: row.text(2)) ?? .ship,
            outTradeNo: row.text(3), source: row.text(4), notifyID: row.optionalText(5), tradeNo: row.optionalText(6),
            businessOrder: row.optionalText(7), amount: Fen(row.int(8)), refundedTotal: row.optionalInt(9).map(Fen.init),
            closeReason: row.optionalText(10).flatMap(CloseReason.init(rawValue:)), createdAt: row.text(11),
            state: OutboxEventState(rawValue: row.text(12)) ?? .pending, attempts: Int(row.int(13)),
            nextAttemptAt: row.optionalText(14), lastError: row.optionalText(15), deliveredAt: row.optionalText(16),
            leaseOwner: row.optionalText(17), leaseUntil: row.optionalText(18)
        )
    }

    static let historyColumns = "notify_id, source, trade_status, total_fen, refund_fen, notify_time, received_at, decision"

    static func historyEntry(_ row: some SQLRow) -> TradeDetails.NotificationSummary {
        TradeDetails.NotificationSummary(
            notifyID: row.text(0), source: row.text(1), tradeStatus: row.text(2), totalAmount: Fen(row.int(3)),
            refundFee: row.optionalInt(4).map(Fen.init), notifyTime: row.optionalText(5),
            receivedAt: row.text(6), decision: row.text(7)
        )
    }

    static let quarantineColumns = "reason, detail, notify_id, times_seen, last_seen_at"

    static func quarantined(_ row: some SQLRow) -> TradeDetails.QuarantineSummary {
        TradeDetails.QuarantineSummary(reason: row.text(0), detail: row.text(1), notifyID: row.optionalText(2),
                                       timesSeen: Int(row.int(3)), lastSeenAt: row.text(4))
    }

    static let gatewayCallColumns = "id, method, out_trade_no, requested_at, answered_at, outcome, code, sub_code, detail, trade_status"

    /// A gateway call without its raw answer (a listing does not need the bytes).
    static func gatewayCall(_ row: some SQLRow) -> GatewayCall {
        GatewayCall(id: row.text(0), method: row.text(1), outTradeNo: row.text(2), requestedAt: row.text(3), answeredAt: row.text(4),
                    outcome: GatewayCall.Outcome(rawValue: row.text(5)) ?? .unknown, code: row.optionalText(6),
                    subCode: row.optionalText(7), detail: row.optionalText(8), tradeStatus: row.optionalText(9))
    }
}
