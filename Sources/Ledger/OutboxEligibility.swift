/// The rule every store uses to pick events that may be delivered now.
enum OutboxEligibility {
    /// From the pending events in `seq` order: the first undelivered event
    /// of each trade, unless the trade has a dead event, the event is not
    /// due yet, or someone holds its lease. At most `limit`.
    static func select(pending: [OutboxEvent], deadTrades: Set<String>, now: String, limit: Int) -> [OutboxEvent] {
        var seenTrades = Set<String>()
        var chosen: [OutboxEvent] = []
        for event in pending where chosen.count < limit {
            guard seenTrades.insert(event.outTradeNo).inserted else { continue } // an earlier one is undelivered
            if deadTrades.contains(event.outTradeNo) { continue }
            if let due = event.nextAttemptAt, due > now { continue }
            if let until = event.leaseUntil, until > now { continue }
            chosen.append(event)
        }
        return chosen
    }
}
