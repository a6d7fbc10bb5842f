/// The part of the pace that daemons sharing a ledger keep together:
/// Alipay counts calls per app, so each call takes its slot from one
/// budget, and a `40005` seen by one daemon slows them all. `GatewayTurns`
/// asks it, when there is one, once its own queue gave a caller its turn;
/// `LedgerGatewayPace` keeps it in the ledger. A protocol so that the
/// turns stay testable with the pace on any ledger.
package protocol SharedGatewayPace: Sendable {
    /// Takes the next slot from the shared budget.
    func takeSlot() throws -> SharedGatewaySlot
    /// Alipay said `40005`: halve the shared pace for every daemon.
    func slowDown() throws
}

/// A slot taken from a shared pace: when the call may start, in seconds
/// since 1970, and the spacing between calls then.
package struct SharedGatewaySlot: Sendable, Equatable {
    package let start: Double
    package let interval: Double

    package init(start: Double, interval: Double) {
        self.start = start
        self.interval = interval
    }
}
