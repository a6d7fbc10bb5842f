import AlipayNotify

/// The merchant's checks that every observation passes before it may change
/// anything, a notification and a gateway answer alike: it is about our
/// app and seller, about an order we registered, for that order's amount to
/// the fen. One place, so that no path into the ledger skips one.
///
/// Carried by each submission, so that a reload (new app ids) applies from
/// the next submission on, without stopping the writer.
public struct BusinessRules: Sendable {
    /// The configured app ids; an observation for another is refused.
    public var appIDs: Set<String>
    /// When set, a notification must carry this seller_id (a gateway answer,
    /// which may leave it out, must not carry another).
    public var sellerID: String?
    /// Record observations for `out_trade_no`s nobody registered (the
    /// amount then cannot be checked). Off by default.
    public var acceptsUnknownOrders: Bool
    /// What the ledger does beyond the checks: a duplicate payment gets a
    /// full refund request in the transaction that finds it.
    public var refundsDuplicatePayments: Bool

    public init(appIDs: Set<String>, sellerID: String? = nil, acceptsUnknownOrders: Bool = false, refundsDuplicatePayments: Bool = false) {
        self.appIDs = appIDs
        self.sellerID = sellerID
        self.acceptsUnknownOrders = acceptsUnknownOrders
        self.refundsDuplicatePayments = refundsDuplicatePayments
    }

    /// Why `observation` must not be applied to `order`; nil when it passes.
    public func check(_ observation: TradeObservation, against order: MerchantOrder?) -> RejectionReason? {
        if let appID = observation.appID, !appIDs.contains(appID) {
            return .appIDMismatch(received: appID)
        }
        if let expected = sellerID {
            switch (observation.sellerID, observation.source) {
            case (let received?, _) where received != expected:
                return .sellerIDMismatch(received: received, expected: expected)
            case (nil, .notification):
                return .sellerIDMismatch(received: "(none)", expected: expected)
            default:
                break
            }
        }
        guard let order else {
            return acceptsUnknownOrders ? nil : .unknownOrder(outTradeNo: observation.outTradeNo)
        }
        if order.totalAmount != observation.totalAmount {
            return .amountMismatch(outTradeNo: order.outTradeNo, expected: order.totalAmount, received: observation.totalAmount)
        }
        return nil
    }
}
