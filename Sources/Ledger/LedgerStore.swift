import AlipayNotify

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

    // The outbox (see `SQLiteLedgerStore+Outbox.swift` for the rules).

    /// Leases up to `limit` events that may be delivered now, in order per trade.
    func claimEvents(owner: String, limit: Int, leaseSeconds: Double) throws -> [OutboxEvent]
    @discardableResult func markDelivered(_ id: String, owner: String?) throws -> Bool
    @discardableResult func markFailed(_ id: String, owner: String, error: String, retryAt: String?) throws -> Bool
    func redeliver(_ id: String) throws -> RedeliveryResult
    @discardableResult func releaseLeases(ownerPrefix: String) throws -> Int

    /// True when other processes may write the same ledger at once
    /// (PostgreSQL): leases left by an earlier run then expire rather than
    /// being released at start-up, since they may be another daemon's.
    var isShared: Bool { get }

    /// A small write and commit (one row per `instance`): what a readiness
    /// check asks, so that "ready" means "can record a notification now".
    func probeWrite(instance: String) throws

    // What an operator asks.

    func event(_ id: String) throws -> OutboxEvent?
    func events(state: OutboxEventState?, kind: LedgerEventKind?, limit: Int) throws -> [OutboxEvent]
    func outboxBacklog() throws -> (pending: Int, dead: Int, oldestPendingCreatedAt: String?)
    func tradeDetails(_ outTradeNo: String) throws -> TradeDetails?
}
