/// Who calls Alipay next, as a value: at most `concurrency` calls at once,
/// at most `rate` calls per second (spaced, never in a burst), money before
/// queries and first come first served within each, and half the pace for
/// a while after Alipay answers `40005` (call rate limited), doubling back
/// every 10 s (`GatewayPace`). Pure: the time is an argument, and
/// `GatewayTurns` does the waiting around it.
package struct GatewayTurnQueue: Sendable {
    /// What a waiting caller is told.
    enum Turn: Equatable, Sendable {
        /// Call now (the turn is counted as in flight until `finished`).
        case go
        /// Not yet: ask again when woken, or at this moment at the latest.
        case wait(until: Double?)
    }

    let concurrency: Int
    private var pace: GatewayPace
    private(set) var inFlight = 0
    /// Waiting tickets in the order they are served.
    private var waiting: [(ticket: Int, priority: GatewayCallPriority)] = []
    private var nextTicket = 0

    init(concurrency: Int, callsPerSecond: Double, now: Double) {
        self.concurrency = max(1, concurrency)
        pace = GatewayPace(callsPerSecond: callsPerSecond, now: now)
    }

    var rate: Double { pace.rate }

    /// Callers waiting for a turn.
    var waitingCount: Int { waiting.count }

    /// A caller arrives: its ticket, placed after every waiter of its
    /// priority and before every waiter of a lower one.
    mutating func arrive(_ priority: GatewayCallPriority) -> Int {
        let ticket = nextTicket
        nextTicket += 1
        let position = waiting.firstIndex { $0.priority > priority } ?? waiting.endIndex
        waiting.insert((ticket, priority), at: position)
        return ticket
    }

    /// Whether the caller holding `ticket` may call now.
    mutating func turn(for ticket: Int, now: Double) -> Turn {
        pace.recover(now: now)
        guard waiting.first?.ticket == ticket, inFlight < concurrency else { return .wait(until: nil) }
        guard now >= pace.nextSlot else { return .wait(until: pace.nextSlot) }
        waiting.removeFirst()
        inFlight += 1
        _ = pace.take(now: now)
        return .go
    }

    /// A caller gives up waiting (the daemon stops): its place goes to the next.
    mutating func leave(_ ticket: Int) {
        waiting.removeAll { $0.ticket == ticket }
    }

    /// A call that had its turn has ended.
    mutating func finished() {
        inFlight = max(0, inFlight - 1)
    }

    /// No turn before `moment`: the slot a call took from a pace shared
    /// with other daemons ends then, and this process takes the next slot
    /// only after it (one slot taken ahead at a time, in priority order).
    mutating func notBefore(_ moment: Double) {
        pace.notBefore(moment)
    }

    /// Alipay said `40005`: halve the pace, and let the next call wait for it.
    mutating func slowDown(now: Double) {
        pace.slowDown(now: now)
    }
}
