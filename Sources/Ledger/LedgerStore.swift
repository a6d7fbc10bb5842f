/// A transactional ledger: where notifications, trades, shipments and
/// outbox events live. The ledger writer owns one store on its thread;
/// CLI commands open their own.
public protocol LedgerStore: AnyObject {
    /// Records every submission in one transaction, each in its own
    /// savepoint, and commits once. The outcomes (one per submission, in
    /// order) hold only if this returns; when it throws, nothing of the
    /// batch was committed.
    func record(_ batch: [LedgerSubmission], policy: LedgerPolicy) throws -> [LedgerOutcome]

    /// Nil when a batch is durable as soon as `record` returns. Otherwise a
    /// barrier: when it returns, everything recorded before the call is on
    /// disk. The writer calls it on a thread of its own and answers only
    /// after it returned.
    var durabilityBarrier: (@Sendable () throws -> Void)? { get }

    /// Registers an order. Registering the same order again is harmless;
    /// a different amount or business order for the same `out_trade_no` is
    /// an `OrderError.conflict`. Returns false when it was already there.
    @discardableResult
    func addOrder(_ order: MerchantOrder) throws -> Bool

    func order(_ outTradeNo: String) throws -> MerchantOrder?

    /// Orders, newest first.
    func orders(limit: Int) throws -> [MerchantOrder]
}
