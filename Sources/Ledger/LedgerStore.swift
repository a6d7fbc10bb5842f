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

    /// Opens a transaction that stays open while the previous commit is
    /// made durable: the writer applies submissions as they arrive and
    /// commits when the disk is free, so one commit (and its pages) serves
    /// everything that arrived during an fsync. Nil when the store records
    /// whole batches only (`record`).
    func beginBatch() throws -> (any OpenLedgerBatch)?

    /// A small write and commit (one row per `instance`): what a readiness
    /// check asks, so that "ready" means "can record a notification now".
    func probeWrite(instance: String) throws

    /// Whether a submission may now be recorded on its caller's thread
    /// (`recordWithoutWaiting`): true only when that waits for nothing but
    /// its own statements and commit, never for another connection's write
    /// lock or for a connection to be made. The caller is an event loop;
    /// while it waits, none of its connections is read or answered.
    ///
    /// Asked only by whoever holds the store, after using it. Default false:
    /// every submission goes through the writer's thread.
    var admitsCallerCommits: Bool { get }

    /// Records `batch` (a caller's one submission) in one transaction, like
    /// `record` but without its per-submission retries and without waiting
    /// for the write lock: nil, with nothing written, when the lock (or a
    /// connection) is not at hand at once; the writer's thread then records
    /// it, waiting as long as the store allows.
    func recordWithoutWaiting(_ batch: [LedgerSubmission]) throws -> [LedgerOutcome]?
}

/// A transaction of recorded submissions not yet committed (see
/// `LedgerRecording.beginBatch`). Its outcomes hold only once `commit`
/// returned; after an error nothing of it was committed.
public protocol OpenLedgerBatch: AnyObject {
    /// Applies submissions in the open transaction, in order: an outcome each.
    func record(_ submissions: [LedgerSubmission]) throws -> [LedgerOutcome]
    func commit() throws
    /// Undoes everything recorded since the batch was begun.
    func rollback()
}

extension LedgerRecording {
    public func beginBatch() throws -> (any OpenLedgerBatch)? { nil }

    public var admitsCallerCommits: Bool { false }

    public func recordWithoutWaiting(_ batch: [LedgerSubmission]) throws -> [LedgerOutcome]? { nil }
}

/// What the daemon asked Alipay's gateway, and what was answered.
public protocol GatewayCallRecording: AnyObject {
    /// Records a call and, when its verified answer stated the trade's
    /// status, that observation, in one transaction; the observation's
    /// outcome, or nil without one.
    ///
    /// `schedule`, given that outcome, may say what becomes of the order
    /// (the reconciler's decision) or of a refund request (the refunder's),
    /// written in the same transaction; with an `owner`, only while that
    /// owner holds the claim.
    @discardableResult
    func recordGatewayCall(_ call: GatewayCall, observation: AcceptedObservation?, owner: String?,
                           schedule: (LedgerOutcome?) -> ScheduleUpdate?) throws -> LedgerOutcome?
}

extension GatewayCallRecording {
    /// Records a call (and its observation) without touching any schedule.
    @discardableResult
    public func recordGatewayCall(_ call: GatewayCall, observation: AcceptedObservation?) throws -> LedgerOutcome? {
        try recordGatewayCall(call, observation: observation, owner: nil) { _ in nil }
    }
}

/// The merchant's orders: what an observation is checked against.
public protocol OrderBook: AnyObject {
    /// Registers an order. Registering the same order again is harmless;
    /// a different amount or business order for the same `out_trade_no` is
    /// an `OrderError.conflict`. Returns false when it was already there.
    ///
    /// `firstQueryAt`: when the reconciler first asks about it; nil: never.
    @discardableResult
    func addOrder(_ order: MerchantOrder, firstQueryAt: String?) throws -> Bool
    func order(_ outTradeNo: String) throws -> MerchantOrder?
    /// Orders, newest first; only those in `state` when given.
    func orders(state: OrderState?, limit: Int) throws -> [MerchantOrder]
}

extension OrderBook {
    /// Registers an order the reconciler never asks about.
    @discardableResult
    public func addOrder(_ order: MerchantOrder) throws -> Bool {
        try addOrder(order, firstQueryAt: nil)
    }

    public func orders(limit: Int) throws -> [MerchantOrder] {
        try orders(state: nil, limit: limit)
    }
}

/// The reconciler's view of the orders: what is due, claimed with a lease
/// so that one daemon at a time asks about an order (see
/// `SQLLedgerStore+Reconciliation.swift`).
public protocol OrderReconciling: AnyObject {
    /// Claims up to `limit` orders whose next query is due, for `owner`:
    /// each one's next query time becomes the end of the lease, so it is
    /// due again (for anyone) only if the owner never reports.
    func claimDueOrders(owner: String, limit: Int, leaseSeconds: Double) throws -> [OrderReconciliation]
    /// Makes the orders claimed by owners starting with `prefix` due now
    /// (a daemon that restarts takes back what its previous life held).
    @discardableResult func releaseOrderClaims(ownerPrefix: String) throws -> Int
    func reconciliation(_ outTradeNo: String) throws -> OrderReconciliation?
    /// Records the decision to close, before the close is sent; false when
    /// the order is paid or closed already.
    func requestClose(_ outTradeNo: String, owner: String?, retryAt: String) throws -> Bool
    /// The serials of a business order, oldest first, each with the moment
    /// the last observation of its trade was recorded, and the one that paid it.
    func serials(ofBusinessOrder businessOrder: String) throws -> (paidBy: String?, serials: [BusinessOrderSerial])
    /// Extends the claims `owner` still holds on these orders to `leaseSeconds` from now.
    @discardableResult func renewOrderClaims(_ outTradeNos: [String], owner: String, leaseSeconds: Double) throws -> Int
    func orderCounts() throws -> OrderCounts
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
    /// Extends the leases `owner` still holds on these events to `leaseSeconds` from now.
    @discardableResult func renewEventLeases(_ ids: [String], owner: String, leaseSeconds: Double) throws -> Int
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
/// Refund requests: recorded, claimed with a lease, and what became of
/// them (see `SQLLedgerStore+Refunds.swift`).
public protocol RefundBook: AnyObject {
    func requestRefund(_ request: RefundRequest, owner: String?, leaseSeconds: Double) throws -> RefundRequestOutcome
    func refundRequest(outTradeNo: String, requestNo: String) throws -> RefundRequest?
    /// The requests with this number (one, unless several trades used it).
    func refundRequests(requestNo: String) throws -> [RefundRequest]
    func claimDueRefunds(owner: String, limit: Int, leaseSeconds: Double) throws -> [RefundRequest]
    /// Claims one request if it is due (a command working on its own request).
    func claimRefund(outTradeNo: String, requestNo: String, owner: String, leaseSeconds: Double) throws -> RefundRequest?
    @discardableResult func releaseRefundClaims(ownerPrefix: String) throws -> Int
    /// Extends the claims `owner` still holds on these requests to `leaseSeconds` from now.
    @discardableResult func renewRefundClaims(_ requests: [RefundRequest], owner: String, leaseSeconds: Double) throws -> Int
    /// Counts an attempt before its call is made (a refund call's time is
    /// kept: from then on it may have reached Alipay); false when the
    /// request is final or another owner holds it.
    func beginRefundAttempt(_ request: RefundRequest, call: RefundCall, owner: String?) throws -> Bool
    /// Due now again, with a fresh retry window; false unless pending or in attention.
    func retryRefund(outTradeNo: String, requestNo: String) throws -> Bool
    func refundCounts() throws -> RefundCounts
}

public typealias LedgerStore = LedgerRecording & GatewayCallRecording & OrderBook & OrderReconciling & BusinessOrderClaims & RefundBook
    & OutboxStore & TradeInspection & GatewayPaceBook

/// Counts for monitoring the outbox.
public struct OutboxBacklog: Sendable, Equatable {
    /// Events not delivered yet.
    public let pending: Int
    /// Events that gave up and wait for a person.
    public let dead: Int
    /// When the oldest undelivered event was created.
    public let oldestPendingCreatedAt: String?
}
