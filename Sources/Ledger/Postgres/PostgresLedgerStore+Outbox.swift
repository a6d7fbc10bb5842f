import AlipayNotify

/// The outbox and the read side in PostgreSQL. Claims from several daemons
/// are serialized by a transaction-scoped advisory lock (a claim takes
/// milliseconds); the lease then keeps an event to one daemon until it
/// reports, or until the lease runs out because that daemon died.
extension PostgresLedgerStore {
    static let eventColumns = SQLiteLedgerStore.eventColumns

    static func readEvent(_ rows: PostgresRows, _ row: Int) -> OutboxEvent {
        OutboxEvent(
            id: rows.text(row, 0), seq: rows.int(row, 1), kind: LedgerEventKind(rawValue: rows.text(row, 2)) ?? .ship,
            outTradeNo: rows.text(row, 3), notifyID: rows.text(row, 4), tradeNo: rows.optionalText(row, 5),
            businessOrder: rows.optionalText(row, 6), amount: Fen(rows.int(row, 7)), refundedTotal: rows.optionalInt(row, 8).map(Fen.init),
            closeReason: rows.optionalText(row, 9).flatMap(CloseReason.init(rawValue:)), createdAt: rows.text(row, 10),
            state: OutboxEventState(rawValue: rows.text(row, 11)) ?? .pending, attempts: Int(rows.int(row, 12)),
            nextAttemptAt: rows.optionalText(row, 13), lastError: rows.optionalText(row, 14), deliveredAt: rows.optionalText(row, 15),
            leaseOwner: rows.optionalText(row, 16), leaseUntil: rows.optionalText(row, 17)
        )
    }

    static func events(_ rows: PostgresRows) -> [OutboxEvent] {
        (0..<rows.count).map { readEvent(rows, $0) }
    }

    public func claimEvents(owner: String, limit: Int, leaseSeconds: Double) throws -> [OutboxEvent] {
        let now = Timestamp.now()
        let leaseUntil = Timestamp.fromNow(seconds: leaseSeconds)
        return try inTransaction { connection in
            try connection.query("SELECT pg_advisory_xact_lock($1)", [.integer(PostgresSchema.claimLock)])
            let deadRows = try connection.query("SELECT DISTINCT out_trade_no FROM events WHERE state = 'dead'")
            let deadTrades = Set((0..<deadRows.count).map { deadRows.text($0, 0) })
            let pending = Self.events(try connection.query(
                "SELECT \(Self.eventColumns) FROM events WHERE state = 'pending' ORDER BY seq LIMIT 2000"))
            var claimed: [OutboxEvent] = []
            for event in OutboxEligibility.select(pending: pending, deadTrades: deadTrades, now: now, limit: limit) {
                let rows = try connection.query("""
                    UPDATE events SET lease_owner = $1, lease_until = $2 WHERE id = $3 RETURNING \(Self.eventColumns)
                    """, [.text(owner), .text(leaseUntil), .text(event.id)])
                claimed.append(Self.readEvent(rows, 0))
            }
            return claimed
        }
    }

    @discardableResult
    public func markDelivered(_ id: String, owner: String?) throws -> Bool {
        try inTransaction { connection in
            try connection.query("""
                UPDATE events SET state = 'delivered', delivered_at = $1, attempts = attempts + 1, lease_owner = NULL, lease_until = NULL
                WHERE id = $2 AND state = 'pending' AND ($3::text IS NULL OR lease_owner = $3)
                """, [.text(Timestamp.now()), .text(id), .optional(owner)]).affected == 1
        }
    }

    @discardableResult
    public func markFailed(_ id: String, owner: String, error: String, retryAt: String?) throws -> Bool {
        try inTransaction { connection in
            try connection.query("""
                UPDATE events SET attempts = attempts + 1, last_error = $1, next_attempt_at = coalesce($2, next_attempt_at),
                                  state = CASE WHEN $2::text IS NULL THEN 'dead' ELSE 'pending' END,
                                  lease_owner = NULL, lease_until = NULL
                WHERE id = $3 AND state = 'pending' AND lease_owner = $4
                """, [.text(String(error.prefix(500))), .optional(retryAt), .text(id), .text(owner)]).affected == 1
        }
    }

    public func redeliver(_ id: String) throws -> RedeliveryResult {
        try inTransaction { connection in
            let rows = try connection.query("SELECT state FROM events WHERE id = $1 FOR UPDATE", [.text(id)])
            guard rows.count > 0 else { return .notFound }
            let state = OutboxEventState(rawValue: rows.text(0, 0)) ?? .pending
            guard state == .dead else { return .notDead(state) }
            try connection.query("""
                UPDATE events SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_owner = NULL, lease_until = NULL WHERE id = $2
                """, [.text(Timestamp.now()), .text(id)])
            return .redelivered
        }
    }

    @discardableResult
    public func releaseLeases(ownerPrefix prefix: String) throws -> Int {
        try inTransaction { connection in
            try connection.query("UPDATE events SET lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND starts_with(lease_owner, $1)",
                                 [.text(prefix)]).affected
        }
    }

    public func event(_ id: String) throws -> OutboxEvent? {
        Self.events(try inTransaction { try $0.query("SELECT \(Self.eventColumns) FROM events WHERE id = $1", [.text(id)]) }).first
    }

    public func events(state: OutboxEventState?, kind: LedgerEventKind?, limit: Int) throws -> [OutboxEvent] {
        Self.events(try inTransaction { connection in
            try connection.query("""
                SELECT \(Self.eventColumns) FROM events WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR kind = $2)
                ORDER BY seq LIMIT $3
                """, [.optional(state?.rawValue), .optional(kind?.rawValue), .integer(Int64(limit))])
        })
    }

    public func outboxBacklog() throws -> (pending: Int, dead: Int, oldestPendingCreatedAt: String?) {
        try inTransaction { connection in
            let rows = try connection.query("""
                SELECT (SELECT count(*) FROM events WHERE state = 'pending'), (SELECT count(*) FROM events WHERE state = 'dead'),
                       (SELECT created_at FROM events WHERE state = 'pending' ORDER BY seq LIMIT 1)
                """)
            return (Int(rows.int(0, 0)), Int(rows.int(0, 1)), rows.optionalText(0, 2))
        }
    }

    public func tradeDetails(_ outTradeNo: String) throws -> TradeDetails? {
        try inTransaction { connection in
            let transaction = PostgresLedgerTransaction(connection: connection)
            let order = try transaction.order(outTradeNo)
            let trade = try transaction.readTrade(outTradeNo)
            let shipped = try connection.query("SELECT shipped_at FROM trades WHERE out_trade_no = $1", [.text(outTradeNo)])
            let notificationRows = try connection.query("""
                SELECT notify_id, trade_status, total_fen, refund_fen, notify_time, received_at, decision
                FROM notifications WHERE out_trade_no = $1 ORDER BY id
                """, [.text(outTradeNo)])
            let notifications = (0..<notificationRows.count).map { row in
                TradeDetails.NotificationSummary(
                    notifyID: notificationRows.text(row, 0), tradeStatus: notificationRows.text(row, 1),
                    totalAmount: Fen(notificationRows.int(row, 2)), refundFee: notificationRows.optionalInt(row, 3).map(Fen.init),
                    notifyTime: notificationRows.optionalText(row, 4), receivedAt: notificationRows.text(row, 5),
                    decision: notificationRows.text(row, 6))
            }
            let events = Self.events(try connection.query(
                "SELECT \(Self.eventColumns) FROM events WHERE out_trade_no = $1 ORDER BY seq", [.text(outTradeNo)]))
            let quarantineRows = try connection.query(
                "SELECT reason, detail, notify_id, times_seen, last_seen_at FROM quarantine WHERE out_trade_no = $1 ORDER BY id",
                [.text(outTradeNo)])
            let quarantined = (0..<quarantineRows.count).map { row in
                TradeDetails.QuarantineSummary(reason: quarantineRows.text(row, 0), detail: quarantineRows.text(row, 1),
                                               notifyID: quarantineRows.optionalText(row, 2),
                                               timesSeen: Int(quarantineRows.int(row, 3)), lastSeenAt: quarantineRows.text(row, 4))
            }
            if order == nil && trade == nil && notifications.isEmpty && quarantined.isEmpty { return nil }
            return TradeDetails(outTradeNo: outTradeNo, order: order, trade: trade,
                                shippedAt: shipped.count > 0 ? shipped.optionalText(0, 0) : nil,
                                notifications: notifications, events: events, quarantined: quarantined)
        }
    }
}
