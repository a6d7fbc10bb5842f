/// The pace of calls to Alipay's gateway for one app, kept in the ledger
/// so that every daemon sharing it takes its calls from one budget: Alipay
/// counts calls per app, not per process. The ledger only keeps the row and
/// locks it while one daemon changes it; what the change is (the next slot,
/// halving after a `40005`, recovering) is the caller's pure rule. See
/// `SQLLedgerStore+GatewayPace.swift`.
public protocol GatewayPaceBook: AnyObject {
    /// Runs `change` on the app's row in one short transaction, the row
    /// locked against every other daemon until it commits; a missing row
    /// starts as `initial`. The row is written back only when it changed.
    func updateGatewayPace<T>(appID: String, initial: GatewayPaceRow, _ change: (inout GatewayPaceRow) -> T) throws -> T
}

/// The pace of one app's calls as the ledger keeps it, in microseconds
/// since 1970 (every daemon's wall clock, so keep them in sync, as leases
/// need anyway).
public struct GatewayPaceRow: Sendable, Equatable {
    /// The earliest moment the next call may start.
    public var nextSlotMicros: Int64
    /// The spacing between two calls now (1 / the rate; doubled by a `40005`).
    public var intervalMicros: Int64
    /// When the spacing last changed.
    public var changedAtMicros: Int64

    public init(nextSlotMicros: Int64, intervalMicros: Int64, changedAtMicros: Int64) {
        self.nextSlotMicros = nextSlotMicros
        self.intervalMicros = intervalMicros
        self.changedAtMicros = changedAtMicros
    }
}
