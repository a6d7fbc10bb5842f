/// The gateway calls the daemon makes. Each names its `method` parameter and
/// the key of the node that carries (and is signed over) its answer.
public enum GatewayMethod: String, Sendable, Hashable, CaseIterable {
    /// What Alipay knows of a trade: for an order whose notification never came.
    case tradeQuery = "alipay.trade.query"
    /// Closes an unpaid trade so it can no longer be paid.
    case tradeClose = "alipay.trade.close"
    /// Closes or refunds a trade whose payment call had an unknown result.
    case tradeCancel = "alipay.trade.cancel"
    /// Sends money back; one `out_request_no` per refund request.
    case tradeRefund = "alipay.trade.refund"
    /// Whether one refund request has succeeded.
    case refundQuery = "alipay.trade.fastpay.refund.query"
    /// Certificate mode: one of Alipay's certificates by its SN, after
    /// Alipay rotated the certificate it signs with.
    case certificateDownload = "alipay.open.app.alipaycert.download"

    /// `alipay.trade.query` answers in `alipay_trade_query_response`: dots
    /// become underscores, then `_response`.
    public var responseNodeName: String {
        String(rawValue.map { $0 == "." ? "_" : $0 }) + "_response"
    }

    /// The node the gateway uses for errors it raises before the method runs.
    public static let errorNodeName = "error_response"
}
