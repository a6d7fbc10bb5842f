import AlipayNotify

/// The outbox and the read side of the SQLite ledger: claiming events for
/// delivery in order per trade, recording what delivery did, and the views
/// an operator asks for.
extension SQLiteLedgerStore {
    static let eventColumns = """
        id, seq, kind, out_trade_no, notify_id, trade_no, business_order, amount_fen, refunded_total_fen,
        close_reason, created_at, state, attempts, next_attempt_at, last_error, delivered_at, lease_owner, lease_until
        """

    static func readEvent(_ row: SQLiteStatement) -> OutboxEvent {
        OutboxEvent(
            id: row.text(0), seq: row.int(1), kind: LedgerEventKind(rawValue: row.text(2)) ?? .ship,
            outTradeNo: row.text(3), notifyID: row.text(4), tradeNo: row.optionalText(5), businessOrder: row.optionalText(6),
            amount: Fen(row.int(7)), refundedTotal: row.optionalInt(8).map(Fen.init),
            closeReason: row.optionalText(9).flatMap(CloseReason.init(rawValue:)), createdAt: row.text(10),
            state: OutboxEventState(rawValue: row.text(11)) ?? .pending, attempts: Int(row.int(12)),
            nextAttemptAt: row.optionalText(13), lastError: row.optionalText(14), deliveredAt: row.optionalText(15),
            leaseOwner: row.optionalText(16), leaseUntil: row.optionalText(17)
        )
    }

    /// Leases up to `limit` events that may be delivered now, to `owner`,
    /// until `leaseSeconds` from now. An event may be delivered now when it
    /// is pending, due, not leased to anyone, and every earlier event of its
    /// trade was delivered (a pending, leased or dead earlier event holds it back).
    public func claimEvents(owner: String, limit: Int, leaseSeconds: Double) throws -> [OutboxEvent] {
        let now = Timestamp.now()
        let leaseUntil = Timestamp.fromNow(seconds: leaseSeconds)
        return try database.transaction {
            let deadTrades = Set(try database.statement("SELECT DISTINCT out_trade_no FROM events WHERE state = 'dead'").rows { $0.text(0) })
            let pending = try database.statement("SELECT \(Self.eventColumns) FROM events WHERE state = 'pending' ORDER BY seq LIMIT 2000")
                .rows([], Self.readEvent)
            var claimed: [OutboxEvent] = []
            for event in OutboxEligibility.select(pending: pending, deadTrades: deadTrades, now: now, limit: limit) {
                try database.statement("UPDATE events SET lease_owner = ?1, lease_until = ?2 WHERE id = ?3")
                    .run([.text(owner), .text(leaseUntil), .text(event.id)])
                claimed.append(try self.event(event.id)!)
            }
            return claimed
        }
    }

    /// Delivered (or acknowledged by a consumer). With an `owner`, only if
    /// that owner still holds the lease. False when nothing changed.
    @discardableResult
    public func markDelivered(_ id: String, owner: String? = nil) throws -> Bool {
        try database.statement("""
            UPDATE events SET state = 'delivered', delivered_at = ?1, attempts = attempts + 1,
                              lease_owner = NULL, lease_until = NULL
            WHERE id = ?2 AND state = 'pending' AND (?3 IS NULL OR lease_owner = ?3)
            """).run([.text(Timestamp.now()), .text(id), .optional(owner)]) == 1
    }

    /// A failed attempt: retried at `retryAt`, or dead-lettered when nil.
    @discardableResult
    public func markFailed(_ id: String, owner: String, error: String, retryAt: String?) throws -> Bool {
        try database.statement("""
            UPDATE events SET attempts = attempts + 1, last_error = ?1, next_attempt_at = coalesce(?2, next_attempt_at),
                              state = CASE WHEN ?2 IS NULL THEN 'dead' ELSE 'pending' END,
                              lease_owner = NULL, lease_until = NULL
            WHERE id = ?3 AND state = 'pending' AND lease_owner = ?4
            """).run([.text(String(error.prefix(500))), .optional(retryAt), .text(id), .text(owner)]) == 1
    }

    /// Puts a dead event back to pending, due now, with its attempts reset.
    public func redeliver(_ id: String) throws -> RedeliveryResult {
        try database.transaction {
            guard let event = try self.event(id) else { return .notFound }
            guard event.state == .dead else { return .notDead(event.state) }
            try database.statement("""
                UPDATE events SET state = 'pending', attempts = 0, next_attempt_at = ?1, lease_owner = NULL, lease_until = NULL
                WHERE id = ?2
                """).run([.text(Timestamp.now()), .text(id)])
            return .redelivered
        }
    }

    /// Ends the leases of owners whose name starts with `prefix` (a daemon
    /// that restarts releases what its previous life had claimed).
    @discardableResult
    public func releaseLeases(ownerPrefix prefix: String) throws -> Int {
        try database.statement("UPDATE events SET lease_owner = NULL, lease_until = NULL WHERE state = 'pending' AND substr(lease_owner, 1, length(?1)) = ?1")
            .run([.text(prefix)])
    }

    public func event(_ id: String) throws -> OutboxEvent? {
        try database.statement("SELECT \(Self.eventColumns) FROM events WHERE id = ?1").firstRow([.text(id)], Self.readEvent)
    }

    /// Events, oldest first, optionally of one state and kind.
    public func events(state: OutboxEventState?, kind: LedgerEventKind?, limit: Int) throws -> [OutboxEvent] {
        // Literal conditions (not "?1 IS NULL OR ...") let SQLite use the
        // partial index of pending events.
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let state {
            conditions.append("state = '\(state.rawValue)'")
        }
        if let kind {
            values.append(.text(kind.rawValue))
            conditions.append("kind = ?\(values.count)")
        }
        values.append(.integer(Int64(limit)))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try database.statement("SELECT \(Self.eventColumns) FROM events \(filter) ORDER BY seq LIMIT ?\(values.count)")
            .rows(values, Self.readEvent)
    }

    /// Counts for monitoring: undelivered and dead events, and when the
    /// oldest undelivered one was created.
    public func outboxBacklog() throws -> (pending: Int, dead: Int, oldestPendingCreatedAt: String?) {
        let pending = try database.scalarInt("SELECT count(*) FROM events WHERE state = 'pending'")
        let dead = try database.scalarInt("SELECT count(*) FROM events WHERE state = 'dead'")
        let oldest = try database.statement("SELECT created_at FROM events WHERE state = 'pending' ORDER BY seq LIMIT 1")
            .firstRow { $0.text(0) }
        return (Int(pending), Int(dead), oldest)
    }

    public func tradeDetails(_ outTradeNo: String) throws -> TradeDetails? {
        let order = try self.order(outTradeNo)
        let trade = try transaction.lockTrade(outTradeNo, businessOrder: nil)
        let shippedAt = try database.statement("SELECT shipped_at FROM trades WHERE out_trade_no = ?1").firstRow([.text(outTradeNo)]) { $0.optionalText(0) } ?? nil
        let notifications = try database.statement("""
            SELECT notify_id, trade_status, total_fen, refund_fen, notify_time, received_at, decision
            FROM notifications WHERE out_trade_no = ?1 ORDER BY id
            """).rows([.text(outTradeNo)]) { row in
            TradeDetails.NotificationSummary(
                notifyID: row.text(0), tradeStatus: row.text(1), totalAmount: Fen(row.int(2)),
                refundFee: row.optionalInt(3).map(Fen.init), notifyTime: row.optionalText(4),
                receivedAt: row.text(5), decision: row.text(6)
            )
        }
        // Event ids start with "OUT_TRADE_NO/", so the unique index on id finds them ("0" follows "/").
        let events = try database.statement("""
            SELECT \(Self.eventColumns) FROM events WHERE id >= ?1 AND id < ?2 AND out_trade_no = ?3 ORDER BY seq
            """).rows([.text(outTradeNo + "/"), .text(outTradeNo + "0"), .text(outTradeNo)], Self.readEvent)
        let quarantined = try database.statement("""
            SELECT reason, detail, notify_id, times_seen, last_seen_at FROM quarantine WHERE out_trade_no = ?1 ORDER BY id
            """).rows([.text(outTradeNo)]) { row in
            TradeDetails.QuarantineSummary(reason: row.text(0), detail: row.text(1), notifyID: row.optionalText(2),
                                           timesSeen: Int(row.int(3)), lastSeenAt: row.text(4))
        }
        if order == nil && trade == nil && notifications.isEmpty && quarantined.isEmpty { return nil }
        return TradeDetails(outTradeNo: outTradeNo, order: order, trade: trade, shippedAt: shippedAt,
                            notifications: notifications, events: events, quarantined: quarantined)
    }
}
