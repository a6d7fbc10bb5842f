import AlipayNotify

/// Why an authentic notification was refused (answered `fail`, HTTP 422).
public enum RejectionReason: Sendable, Equatable, CustomStringConvertible {
    case appIDMismatch(received: String)
    case sellerIDMismatch(received: String, expected: String)
    case unknownOrder(outTradeNo: String)
    case amountMismatch(outTradeNo: String, expected: Fen, received: Fen)
    case malformed(NotificationFieldError)

    /// A short, stable label for metrics, logs and the quarantine table.
    public var code: String {
        switch self {
        case .appIDMismatch: return "app_id_mismatch"
        case .sellerIDMismatch: return "seller_id_mismatch"
        case .unknownOrder: return "unknown_order"
        case .amountMismatch: return "amount_mismatch"
        case .malformed(let error): return error.code
        }
    }

    public var description: String {
        switch self {
        case .appIDMismatch(let received):
            return "app_id \(received) is not one of the configured app ids"
        case .sellerIDMismatch(let received, let expected):
            return "seller_id \(received) is not the configured seller_id \(expected)"
        case .unknownOrder(let outTradeNo):
            return "out_trade_no \(outTradeNo) is not a registered order (register it with 'orders add', or run with --accept-unknown-orders)"
        case .amountMismatch(let outTradeNo, let expected, let received):
            return "total_amount \(received) differs from the amount \(expected) registered for order \(outTradeNo)"
        case .malformed(let error):
            return error.description
        }
    }
}
