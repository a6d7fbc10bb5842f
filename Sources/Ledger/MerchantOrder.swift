import AlipayNotify

/// An order the merchant registered before sending the buyer to Alipay:
/// the amount a notification must match, and optionally the business order
/// this payment serial belongs to: one business order may be paid through
/// several serials (a new one per payment attempt), and is paid for once.
public struct MerchantOrder: Sendable, Equatable {
    public var outTradeNo: String
    public var totalAmount: Fen
    public var businessOrder: String?
    public var createdAt: String
    /// When an unpaid order is closed at Alipay; nil for an order registered
    /// before orders had an expiry (it is not reconciled).
    public var expiresAt: String?
    public var state: OrderState

    public init(outTradeNo: String, totalAmount: Fen, businessOrder: String? = nil, createdAt: String = Timestamp.now(),
                expiresAt: String? = nil, state: OrderState = .open) {
        self.outTradeNo = outTradeNo
        self.totalAmount = totalAmount
        self.businessOrder = businessOrder
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.state = state
    }

    /// Longest `out_trade_no` Alipay allows.
    public static let maximumIdentifierLength = 64

    /// Checks what a person typed before it goes into the ledger.
    public static func validate(outTradeNo: String, totalAmount: Fen, businessOrder: String?) throws(OrderError) {
        if let problem = TradeAmount.problem(totalAmount, what: "total_amount") { throw .invalid(problem) }
        guard !outTradeNo.isEmpty else { throw .invalid("OUT_TRADE_NO is empty") }
        guard outTradeNo.utf8.count <= maximumIdentifierLength else {
            throw .invalid("OUT_TRADE_NO is longer than \(maximumIdentifierLength) bytes")
        }
        guard outTradeNo.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalid("OUT_TRADE_NO may hold letters, digits and ASCII punctuation only (Alipay's rule)")
        }
        if let businessOrder {
            guard !businessOrder.isEmpty, businessOrder.utf8.count <= 128 else {
                throw .invalid("the business order id must be 1 to 128 bytes")
            }
        }
    }
}

/// Why an order could not be registered.
public enum OrderError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)
    case conflict(existing: MerchantOrder)

    public var description: String {
        switch self {
        case .invalid(let problem):
            return problem
        case .conflict(let existing):
            let business = existing.businessOrder.map { " for business order \($0)" } ?? ""
            return "order \(existing.outTradeNo) is already registered with amount \(existing.totalAmount)\(business); an order's amount never changes"
        }
    }
}
