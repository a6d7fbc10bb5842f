import AlipayNotify

/// The primitive reads and writes one notification needs, inside a
/// transaction of some store. `NotificationRecorder` holds the logic once;
/// each store (SQLite, PostgreSQL) implements only these.
///
/// A store that several processes write at once makes them safe there:
/// `lockTrade` serializes work on one trade (and its business order), and
/// `insertNotification` relies on the unique notify_id.
protocol LedgerTransaction {
    func notificationExists(_ notifyID: String) throws -> Bool
    func order(_ outTradeNo: String) throws -> MerchantOrder?
    /// The trade's record; the trade (and `businessOrder`, when given) stay
    /// locked for the rest of the transaction.
    func lockTrade(_ outTradeNo: String, businessOrder: String?) throws -> TradeRecord?
    /// The serial that paid `businessOrder` first, if one did.
    func businessOrderPayer(_ businessOrder: String) throws -> String?
    /// Records `outTradeNo` as the serial that paid `businessOrder`.
    func claimBusinessOrder(_ businessOrder: String, outTradeNo: String, at time: String) throws
    /// Inserts the notification row; false, with nothing written, when its
    /// notify_id is already recorded.
    func insertNotification(_ accepted: AcceptedNotification, decision: String) throws -> Bool
    /// Inserts or updates the trade; `shipment` is set when this
    /// notification shipped it.
    func saveTrade(_ trade: TradeRecord, businessOrder: String?, shipment: ShipmentFacts?, at time: String) throws
    func insertEvent(_ event: PlannedEvent, context: EventContext) throws
    func quarantine(_ entry: QuarantineEntry, at time: String) throws
}

/// Which notification shipped a trade, recorded once with the trade.
struct ShipmentFacts {
    let notifyID: String
    let shippedAt: String
}

/// What an event row records besides the event itself.
struct EventContext {
    let outTradeNo: String
    let notifyID: String
    let tradeNo: String?
    let businessOrder: String?
    let createdAt: String
}
