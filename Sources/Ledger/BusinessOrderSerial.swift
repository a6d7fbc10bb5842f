/// One serial of a business order as a request for a new serial sees it:
/// its schedule (state, a close decided or answered), and when the ledger
/// last recorded something Alipay said about its trade (a notification or
/// a verified answer stating its status), so that a close answered before
/// is sent again only when something new is known since.
public struct BusinessOrderSerial: Sendable, Equatable {
    public var reconciliation: OrderReconciliation
    /// When the trade's last observation was recorded; nil: none yet.
    public var lastObservedAt: String?

    public init(reconciliation: OrderReconciliation, lastObservedAt: String?) {
        self.reconciliation = reconciliation
        self.lastObservedAt = lastObservedAt
    }
}
