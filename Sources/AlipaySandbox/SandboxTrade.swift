import AlipayNotify

/// One trade in the sandbox's book, as Alipay keeps it: its status, its
/// money in fen, and the refund requests it has answered (by
/// `out_request_no`, so that a retry gets the same answer).
public struct SandboxTrade: Sendable, Equatable {
    /// One answered refund request.
    public struct Refund: Sendable, Equatable {
        public let outRequestNo: String
        public let amount: Fen
        public let reason: String?
        public let at: String
    }

    public let outTradeNo: String
    public let tradeNo: String
    public let totalAmount: Fen
    public var status: TradeStatus
    /// When the buyer paid (China time, as Alipay writes it).
    public var paidAt: String?
    public var refunds: [Refund] = []
    /// Where the buyer's payment was notified (when it was): refunds that
    /// move money are notified there too, as Alipay does.
    public var notifyURL: String?
    public var timeScale: Double = 1

    public var refundedTotal: Fen {
        refunds.reduce(.zero) { $0 + $1.amount }
    }

    public var isPaid: Bool { paidAt != nil }
}
