import Ledger
import Locking
import SystemSupport

/// The ledger's gauges for a scrape (outbox backlog, orders and refund
/// requests by state), read on the reading connection and kept, so that a
/// scrape costs under a millisecond however large the ledger is.
///
/// While reading them is cheap (under a millisecond: a ledger of up to some
/// ten thousand orders) every scrape reads them afresh. Once it is not (the
/// counts by state scan an index: about 10 ms at 100,000 orders), a scrape
/// answers with the last values and, when they are older than 20 times the
/// read's cost (at least 5 s), starts one read in the background for the
/// next scrape: the gauges are then at most a few scrapes old, and the
/// reads cost at most about 5% of one core.
package final class LedgerGauges: Sendable {
    struct Values: Sendable {
        let backlog: OutboxBacklog
        let orders: OrderCounts
        let refunds: RefundCounts
    }

    private struct State {
        var values: Values?
        var readAt = 0.0
        var cost = 0.0
        var reading = false
        /// When a failed read was last reported in words (at most once a minute).
        var failureReportedAt: Double?
    }

    /// Below this cost a scrape reads the gauges itself.
    static let cheapRead = 0.001
    static let minimumAge = 5.0
    static let failureReportInterval = 60.0
    private let reader: LedgerReader
    private let state = Locked(State())
    private let failed: @Sendable (_ error: any Error, _ report: Bool) -> Void

    /// `failed` hears of every read that failed (to count it), with
    /// `report` true at most once a minute (to say so in the log).
    package init(reader: LedgerReader, failed: @escaping @Sendable (_ error: any Error, _ report: Bool) -> Void = { _, _ in }) {
        self.reader = reader
        self.failed = failed
    }

    /// The gauges now (fresh, or the last ones when reading is costly), or
    /// nil when the ledger cannot be read; `completion` may run on the
    /// reader's thread.
    func current(_ completion: @escaping @Sendable (Values?) -> Void) {
        let now = Self.now()
        enum Plan { case readAndAnswer, answer(Values), answerAndRefresh(Values) }
        let plan: Plan = state.withLock { state in
            guard let values = state.values, state.cost >= Self.cheapRead || state.reading else { return .readAndAnswer }
            guard !state.reading, now - state.readAt >= max(Self.minimumAge, 20 * state.cost) else { return .answer(values) }
            state.reading = true
            return .answerAndRefresh(values)
        }
        switch plan {
        case .readAndAnswer:
            refresh(completion)
        case .answer(let values):
            completion(values)
        case .answerAndRefresh(let values):
            completion(values)
            refresh { _ in }
        }
    }

    private func refresh(_ completion: @escaping @Sendable (Values?) -> Void) {
        reader.read({ store in
            let started = Self.now()
            let values = Values(backlog: try store.outboxBacklog(), orders: try store.orderCounts(), refunds: try store.refundCounts())
            return (values, Self.now() - started)
        }) { [state, failed] result in
            let now = Self.now()
            let read: (Values, Double)?
            var failure: (any Error)?
            switch result {
            case .success(let values): read = values
            case .failure(let error): read = nil; failure = error
            }
            let report = state.withLock { state -> Bool in
                state.reading = false
                if let (values, cost) = read {
                    state.values = values
                    state.cost = cost
                    state.readAt = now
                    state.failureReportedAt = nil
                    return false
                }
                guard state.failureReportedAt.map({ now - $0 >= Self.failureReportInterval }) ?? true else { return false }
                state.failureReportedAt = now
                return true
            }
            if let failure { failed(failure, report) }
            completion(read?.0)
        }
    }

    private static func now() -> Double { Double(MonotonicClock.nanoseconds()) / 1e9 }
}
