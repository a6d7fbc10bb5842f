import AlipayNotify

/// The ledger's writer role: recording observations, with the durability
/// barrier the writer waits on before it answers.
public protocol LedgerRecording: AnyObject {
    /// Records every submission in one transaction and commits once. The
    /// outcomes (one per submission, in order) hold only if this returns;
    /// when it throws, nothing of the batch was committed.
    func record(_ batch: [LedgerSubmission]) throws -> [LedgerOutcome]

    /// Nil when a batch is durable as soon as `record` returns. Otherwise a
    /// barrier: when it returns, everything recorded before the call is on
    /// disk. The writer calls it on a thread of its own and answers only
    /// after it returned.
    var durabilityBarrier: (@Sendable () throws -> Void)? { get }

    /// A small write and commit (one row per `instance`): what a readiness
    /// check asks, so that "ready" means "can record a notification now".
    func probeWrite(instance: String) throws
}

/// What the daemon asked Alipay's gateway, and what was answered.
public protocol GatewayCallRecording: AnyObject {
    /// Records a call and, when its verified answer stated the trade's
    /// status, that observation, in one transaction; the observation's
    /// outcome, or nil without one.
    @discardableResult
    func recordGatewayCall(_ call: GatewayCall, observation: AcceptedObservation?) throws -> LedgerOutcome?
}

/// The merchant's orders: what an observation is checked against.
public protocol OrderBook: AnyObject {
    /// Registers an order. Registering the same order again is harmless;
    /// a different amount or business order for the same `out_trade_no` is
    /// an `OrderError.conflict`. Returns false when it was already there.
    @discardableResult
    func addOrder(_ order: MerchantOrder) throws -> Bool
    func order(_ outTradeNo: String) throws -> MerchantOrder?
    /// Orders, newest first.
    func orders(limit: Int) throws -> [MerchantOrder]
}

/// The transactional outbox as its dispatcher and consumers use it (see
/// `SQLLedgerStore+Outbox.swift` for the rules).
public protocol OutboxStore: AnyObject {
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
    func event(_ id: String) throws -> OutboxEvent?
    func events(state: OutboxEventState?, kind: LedgerEventKind?, limit: Int) throws -> [OutboxEvent]
    func outboxBacklog() throws -> OutboxBacklog
}

/// What an operator asks about one trade.
public protocol TradeInspection: AnyObject {
    func tradeDetails(_ outTradeNo: String) throws -> TradeDetails?
}

/// A whole ledger, every role: what the writer owns and a command opens.
public typealias LedgerStore = LedgerRecording & GatewayCallRecording & OrderBook & OutboxStore & TradeInspection

/// Counts for monitoring the outbox.
public struct OutboxBacklog: Sendable, Equatable {
    /// Events not delivered yet.
    public let pending: Int
    /// Events that gave up and wait for a person.
    public let dead: Int
    /// When the oldest undelivered event was created.
    public let oldestPendingCreatedAt: String?
}
