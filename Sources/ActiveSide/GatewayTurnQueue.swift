/// Who calls Alipay next, as a value: at most `concurrency` calls at once,
/// at most `rate` calls per second (spaced, never in a burst), money before
/// queries and first come first served within each, and half the pace for
/// a while after Alipay answers `40005` (call rate limited), doubling back
/// every 10 s. Pure: the time is an argument, and `GatewayTurns` does the
/// waiting around it.
package struct GatewayTurnQueue: Sendable {
    /// What a waiting caller is told.
    enum Turn: Equatable, Sendable {
        /// Call now (the turn is counted as in flight until `finished`).
        case go
        /// Not yet: ask again when woken, or at this moment at the latest.
        case wait(until: Double?)
    }

    /// The slowest pace a `40005` can bring it to: one call in 5 s.
    static let slowestRate = 0.2
    /// How long the pace stays halved before it doubles back.
    static let recoveryStep = 10.0

    let concurrency: Int
    let configuredRate: Double
    private(set) var rate: Double
    /// The earliest moment the next call may start.
    private var nextSlot: Double = 0
    private var lastChange: Double
    private(set) var inFlight = 0
    /// Waiting tickets in the order they are served.
    private var waiting: [(ticket: Int, priority: GatewayCallPriority)] = []
    private var nextTicket = 0

    init(concurrency: Int, callsPerSecond: Double, now: Double) {
        self.concurrency = max(1, concurrency)
        configuredRate = max(Self.slowestRate, callsPerSecond)
        rate = configuredRate
        lastChange = now
    }

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
        recover(now: now)
        guard waiting.first?.ticket == ticket, inFlight < concurrency else { return .wait(until: nil) }
        guard now >= nextSlot else { return .wait(until: nextSlot) }
        waiting.removeFirst()
        inFlight += 1
        nextSlot = max(now, nextSlot) + 1 / rate
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

    /// Alipay said `40005`: halve the pace, and let the next call wait for it.
    mutating func slowDown(now: Double) {
        guard rate > Self.slowestRate else { return }
        rate = max(Self.slowestRate, rate / 2)
        lastChange = now
        nextSlot = max(nextSlot, now + 1 / rate)
    }

    private mutating func recover(now: Double) {
        if rate < configuredRate, now - lastChange >= Self.recoveryStep {
            rate = min(configuredRate, rate * 2)
            lastChange = now
        }
    }
}
