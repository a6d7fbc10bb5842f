/// The four `trade_status` values of an Alipay trade, as notifications and
/// the gateway's answers state them. `TRADE_CLOSED` covers both an unpaid
/// order that timed out and a trade refunded in full.
///
/// `TRADE_SUCCESS` and `TRADE_FINISHED` both mean paid; a refundable product
/// sees both, three months apart, and must ship only once.
public enum TradeStatus: String, Sendable, Hashable, CaseIterable {
    case waitBuyerPay = "WAIT_BUYER_PAY"
    case tradeSuccess = "TRADE_SUCCESS"
    case tradeFinished = "TRADE_FINISHED"
    case tradeClosed = "TRADE_CLOSED"

    /// True for the two statuses that mean the buyer's money arrived.
    public var meansPaid: Bool {
        self == .tradeSuccess || self == .tradeFinished
    }
}
