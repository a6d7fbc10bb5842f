/// When claiming workers claim, renew and wait, as a value: the time is an
/// argument and the decision comes out, so the rules are tested without
/// threads (`ClaimingWorkers` does the claiming, the work and the waiting
/// around it).
///
/// - It claims only as many items as workers are idle: a claimed item is
///   worked on at once, never queued while its lease runs.
/// - It claims when woken (new work was written, a worker finished: a
///   trade's next event may be due now), when the last claim was full (more
///   may be due), and otherwise once per `pollInterval`.
/// - A worker's item whose lease is half spent is renewed (a slow sink, a
///   call waiting for its turn): the lease ends only when its holder dies.
/// - Busy workers and nothing due: it waits, costing nothing, until the
///   earliest renewal or a wake-up.
public struct ClaimSchedule: Sendable, Equatable {
    /// What the claim thread does next.
    public enum Action: Sendable, Equatable {
        /// Claim at most this many due items (one per idle worker).
        case claim(limit: Int)
        /// Renew the leases of the items these workers hold.
        case renew(workers: [Int])
        /// Nothing to do until woken, or until this moment at the latest (nil: until woken).
        case wait(until: Double?)
        /// Stopped: end the claim thread.
        case stop
    }

    public let concurrency: Int
    public let pollInterval: Double
    public let leaseSeconds: Double
    /// Per worker: when its item's lease was taken or last renewed; nil when idle.
    public private(set) var heldSince: [Double?]
    public private(set) var running = true
    private var woken = true
    private var lastClaimWasFull = false
    private var nextPoll = 0.0

    public init(concurrency: Int, pollInterval: Double, leaseSeconds: Double) {
        self.concurrency = max(1, concurrency)
        self.pollInterval = pollInterval
        self.leaseSeconds = leaseSeconds
        heldSince = Array(repeating: nil, count: max(1, concurrency))
    }

    /// Workers with no item.
    public var idleWorkers: Int { heldSince.lazy.filter { $0 == nil }.count }

    /// A lease is renewed when half of it is spent.
    private var renewalAge: Double { leaseSeconds / 2 }

    public func next(now: Double) -> Action {
        guard running else { return .stop }
        let due = heldSince.indices.filter { heldSince[$0].map { now - $0 >= renewalAge } ?? false }
        if !due.isEmpty { return .renew(workers: due) }
        let idle = idleWorkers
        if idle > 0 && (woken || lastClaimWasFull || now >= nextPoll) { return .claim(limit: idle) }
        let renewals = heldSince.compactMap { $0.map { $0 + renewalAge } }
        let moments = renewals + (idle > 0 ? [nextPoll] : [])
        return .wait(until: moments.min())
    }

    /// `count` items were claimed for at most `limit`: the workers that take
    /// them, in order.
    public mutating func claimed(_ count: Int, limit: Int, now: Double) -> [Int] {
        woken = false
        lastClaimWasFull = count > 0 && count >= limit
        if !lastClaimWasFull { nextPoll = now + pollInterval }
        let workers = Array(heldSince.indices.filter { heldSince[$0] == nil }.prefix(count))
        for worker in workers { heldSince[worker] = now }
        return workers
    }

    /// The claim failed (the ledger is away): try again at the next poll.
    public mutating func claimFailed(now: Double) {
        woken = false
        lastClaimWasFull = false
        nextPoll = now + pollInterval
    }

    /// A renewal of these workers' leases was made (or failed: it is tried
    /// again at the next half lease, not at once).
    public mutating func renewed(_ workers: [Int], now: Double) {
        for worker in workers where heldSince[worker] != nil { heldSince[worker] = now }
    }

    /// A worker finished its item: it is idle, and the next claim comes at once.
    public mutating func finished(_ worker: Int) {
        heldSince[worker] = nil
        woken = true
    }

    /// New work was written: claim at the next chance.
    public mutating func wake() {
        woken = true
    }

    public mutating func stop() {
        running = false
    }
}
