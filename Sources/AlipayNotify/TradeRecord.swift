/// What the ledger knows about one `out_trade_no`: the state the trade state
/// machine reads and writes. One row per trade in the ledger.
public struct TradeRecord: Sendable, Equatable {
    public var outTradeNo: String
    /// The most advanced status seen (a late `TRADE_SUCCESS` never moves a
    /// `TRADE_FINISHED` trade back).
    public var status: TradeStatus
    public var tradeNo: String?
    public var totalAmount: Fen
    /// The buyer's money arrived (a `TRADE_SUCCESS` or `TRADE_FINISHED` was accepted).
    public var paid: Bool
    /// A `ship` event was written for this trade. Never reset.
    public var shipped: Bool
    /// This serial paid for a business order that another serial had already paid.
    public var duplicatePayment: Bool
    /// The cumulative refunded total reported by Alipay.
    public var refunded: Fen
    /// Set once the trade closed; closed is final.
    public var closeReason: CloseReason?

    public init(
        outTradeNo: String, status: TradeStatus, tradeNo: String? = nil, totalAmount: Fen,
        paid: Bool = false, shipped: Bool = false, duplicatePayment: Bool = false,
        refunded: Fen = .zero, closeReason: CloseReason? = nil
    ) {
        self.outTradeNo = outTradeNo
        self.status = status
        self.tradeNo = tradeNo
        self.totalAmount = totalAmount
        self.paid = paid
        self.shipped = shipped
        self.duplicatePayment = duplicatePayment
        self.refunded = refunded
        self.closeReason = closeReason
    }
}

/// Why a trade closed: `TRADE_CLOSED` after payment means fully refunded,
/// without payment it means the unpaid order timed out or was cancelled.
public enum CloseReason: String, Sendable, Hashable {
    case unpaid
    case refunded
}
