/// What Alipay said about one `out_trade_no`, and where it said it: in a
/// notification it sent, or in a verified answer of its gateway to a call
/// the daemon made. Both pass the same business checks, the same state
/// machine and the same ledger transaction, so a trade ships once whichever
/// of them shows the payment first.
public struct TradeObservation: Sendable, Equatable {
    public var source: ObservationSource
    /// The app the facts are about; nil for a gateway answer (the daemon's
    /// own app asked, and the answer does not repeat it).
    public var appID: String?
    public var sellerID: String?
    public var outTradeNo: String
    public var tradeNo: String?
    public var tradeStatus: TradeStatus
    public var totalAmount: Fen
    /// The cumulative refunded total (not one refund's amount), when told.
    public var refundFee: Fen?
    public var outBizNo: String?
    public var gmtPayment: String?
    /// When Alipay stated it: `notify_time` of a notification, or the time
    /// the gateway answered.
    public var statedAt: String?

    public init(
        source: ObservationSource, appID: String?, sellerID: String? = nil, outTradeNo: String, tradeNo: String? = nil,
        tradeStatus: TradeStatus, totalAmount: Fen, refundFee: Fen? = nil, outBizNo: String? = nil,
        gmtPayment: String? = nil, statedAt: String? = nil
    ) {
        self.source = source
        self.appID = appID
        self.sellerID = sellerID
        self.outTradeNo = outTradeNo
        self.tradeNo = tradeNo
        self.tradeStatus = tradeStatus
        self.totalAmount = totalAmount
        self.refundFee = refundFee
        self.outBizNo = outBizNo
        self.gmtPayment = gmtPayment
        self.statedAt = statedAt
    }
}

/// Where an observation came from, with the id that makes recording it a
/// second time a no-op.
public enum ObservationSource: Sendable, Hashable {
    /// An asynchronous notification, identified by Alipay's `notify_id`.
    case notification(notifyID: String)
    /// A verified gateway answer, identified by the id the daemon gave the
    /// call that it answered.
    case gatewayAnswer(id: String)

    /// The word stored in the ledger's `source` columns and shown in JSON.
    public var kind: String {
        switch self {
        case .notification: return "notification"
        case .gatewayAnswer: return "gateway"
        }
    }

    /// The notification's `notify_id`; nil for a gateway answer.
    public var notifyID: String? {
        if case .notification(let notifyID) = self { return notifyID }
        return nil
    }

    /// The id that is unique among all observations of this kind.
    public var id: String {
        switch self {
        case .notification(let notifyID): return notifyID
        case .gatewayAnswer(let id): return id
        }
    }
}
