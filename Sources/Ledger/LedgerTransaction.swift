import AlipayNotify

/// The primitive reads and writes one notification needs, inside a
/// transaction of some store. `NotificationRecorder` holds the logic once;
/// each store (SQLite, PostgreSQL) implements only these.
///
/// Stores that several processes write at once make them safe there:
/// `lockTrade` takes a row lock, `claimBusinessOrder` and
/// `insertNotification` rely on unique keys.
protocol LedgerTransaction {
    func notificationExists(_ notifyID: String) throws -> Bool
    func order(_ outTradeNo: String) throws -> MerchantOrder?
    /// The trade's record, locked for the rest of the transaction.
    func lockTrade(_ outTradeNo: String) throws -> TradeRecord?
    /// Marks `outTradeNo` as the serial that paid `businessOrder`, unless
    /// another serial did first; returns the paying serial either way.
    func claimBusinessOrder(_ businessOrder: String, outTradeNo: String, at time: String) throws -> String
    /// False when the notify_id is already there (a concurrent duplicate).
    func insertNotification(_ accepted: AcceptedNotification, decision: String) throws -> Bool
    func saveTrade(_ trade: TradeRecord, businessOrder: String?, at time: String) throws
    func insertShipment(_ trade: TradeRecord, notifyID: String, at time: String) throws
    func insertEvent(_ event: PlannedEvent, context: EventContext) throws
    func quarantine(_ entry: QuarantineEntry, at time: String) throws
}

/// What an event row records besides the event itself.
struct EventContext {
    let outTradeNo: String
    let notifyID: String
    let tradeNo: String?
    let businessOrder: String?
    let createdAt: String
}
