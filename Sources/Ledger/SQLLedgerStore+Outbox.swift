import AlipayNotify

/// The outbox, written once for both stores: claiming events for delivery
/// in order per trade, recording what delivery did, and the views an
/// operator asks for. Claims from several daemons on one PostgreSQL ledger
/// are serialized by an advisory lock (SQLite's write lock does it there);
/// the lease then keeps an event to one daemon until it reports, or until
/// the lease runs out because that daemon died.
extension SQLLedgerStore {
    /// Leases up to `limit` events that may be delivered now, to `owner`,
    /// until `leaseSeconds` from now. An event may be delivered now when it
    /// is pending, due, not leased to anyone, and every earlier event of its
    /// trade was delivered (a pending, leased or dead earlier event holds it back).
    public func claimEvents(owner: String, limit: Int, leaseSeconds: Double) throws -> [OutboxEvent] {
        let now = Timestamp.now()
        let leaseUntil = Timestamp.fromNow(seconds: leaseSeconds)
        return try inTransaction { connection in
            if let lock = OutboxStatements.claimLock(connection.dialect) {
                _ = try connection.rows(lock, []) { _ in () }
            }
            let deadTrades = Set(try connection.rows(OutboxStatements.deadTrades, []) { $0.text(0) })
            let pending = try connection.rows(OutboxStatements.pendingInOrder, [], LedgerRows.event)
            return try OutboxEligibility.select(pending: pending, deadTrades: deadTrades, now: now, limit: limit).compactMap { event in
                try connection.firstRow(OutboxStatements.lease, [.text(owner), .text(leaseUntil), .text(event.id)], LedgerRows.event)
            }
        }
    }

    /// Delivered (or acknowledged by a consumer). With an `owner`, only if
    /// that owner still holds the lease. False when nothing changed.
    @discardableResult
    public func markDelivered(_ id: String, owner: String?) throws -> Bool {
        try inTransaction { try $0.run(OutboxStatements.delivered, [.text(Timestamp.now()), .text(id), .optional(owner)]) == 1 }
    }

    /// A failed attempt: retried at `retryAt`, or dead-lettered when nil.
    @discardableResult
    public func markFailed(_ id: String, owner: String, error: String, retryAt: String?) throws -> Bool {
        try inTransaction {
            try $0.run(OutboxStatements.failed, [.text(String(error.prefix(500))), .optional(retryAt), .text(id), .text(owner)]) == 1
        }
    }

    /// Puts a dead event back to pending, due now, with its attempts reset.
    public func redeliver(_ id: String) throws -> RedeliveryResult {
        try inTransaction { connection in
            if try connection.run(OutboxStatements.redeliver, [.text(Timestamp.now()), .text(id)]) == 1 { return .redelivered }
            guard let state = try connection.firstRow(OutboxStatements.state, [.text(id)], { $0.text(0) }) else { return .notFound }
            return .notDead(OutboxEventState(rawValue: state) ?? .pending)
        }
    }

    /// Ends the leases of owners whose name starts with `prefix` (a daemon
    /// that restarts releases what its previous life had claimed).
    @discardableResult
    public func releaseLeases(ownerPrefix prefix: String) throws -> Int {
        try inTransaction { try $0.run(OutboxStatements.releaseLeases, [.text(prefix)]) }
    }

    public func event(_ id: String) throws -> OutboxEvent? {
        try reading { try $0.firstRow(OutboxStatements.event, [.text(id)], LedgerRows.event) }
    }

    /// Events, oldest first, optionally of one state and kind.
    public func events(state: OutboxEventState?, kind: LedgerEventKind?, limit: Int) throws -> [OutboxEvent] {
        let query = OutboxStatements.events(state: state, kind: kind, limit: limit)
        return try reading { try $0.rows(query.statement, query.values, LedgerRows.event) }
    }

    /// Counts for monitoring: undelivered and dead events, and when the
    /// oldest undelivered one was created.
    public func outboxBacklog() throws -> OutboxBacklog {
        try reading { connection in
            try connection.firstRow(OutboxStatements.backlog, []) {
                OutboxBacklog(pending: Int($0.int(0)), dead: Int($0.int(1)), oldestPendingCreatedAt: $0.optionalText(2))
            } ?? OutboxBacklog(pending: 0, dead: 0, oldestPendingCreatedAt: nil)
        }
    }
}
