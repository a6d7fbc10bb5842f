/// A verified Alipay trade notification with the fields the daemon acts on,
/// typed: money in fen, the status as an enum.
///
/// Built only from `FormFields` whose signature has been checked; a signed
/// body that lacks a required field or carries a malformed one is a
/// `NotificationFieldError`, kept in quarantine, never a crash.
public struct Notification: Sendable, Equatable {
    public var notifyID: String
    public var notifyTime: String?
    public var notifyType: String?
    public var appID: String
    public var sellerID: String?
    public var outTradeNo: String
    public var tradeNo: String?
    public var tradeStatus: TradeStatus
    public var totalAmount: Fen
    /// The cumulative refunded total (not this refund's amount), when present.
    public var refundFee: Fen?
    public var outBizNo: String?
    public var gmtPayment: String?
    public var gmtRefund: String?
    public var gmtClose: String?

    public init(
        notifyID: String, notifyTime: String? = nil, notifyType: String? = nil, appID: String,
        sellerID: String? = nil, outTradeNo: String, tradeNo: String? = nil, tradeStatus: TradeStatus,
        totalAmount: Fen, refundFee: Fen? = nil, outBizNo: String? = nil, gmtPayment: String? = nil,
        gmtRefund: String? = nil, gmtClose: String? = nil
    ) {
        self.notifyID = notifyID
        self.notifyTime = notifyTime
        self.notifyType = notifyType
        self.appID = appID
        self.sellerID = sellerID
        self.outTradeNo = outTradeNo
        self.tradeNo = tradeNo
        self.tradeStatus = tradeStatus
        self.totalAmount = totalAmount
        self.refundFee = refundFee
        self.outBizNo = outBizNo
        self.gmtPayment = gmtPayment
        self.gmtRefund = gmtRefund
        self.gmtClose = gmtClose
    }

    /// Longest identifier accepted (Alipay's are 64 characters at most).
    static let maximumIdentifierLength = 128

    public init(fields: FormFields) throws(NotificationFieldError) {
        func required(_ key: String) throws(NotificationFieldError) -> String {
            guard let value = fields.nonEmptyString(key) else { throw .missing(key) }
            guard value.utf8.count <= Self.maximumIdentifierLength else { throw .malformed(key, String(value.prefix(32)) + "…") }
            return value
        }
        func amount(_ key: String) throws(NotificationFieldError) -> Fen? {
            guard let bytes = fields.bytes(key), !bytes.isEmpty else { return nil }
            guard let fen = Fen(decimal: bytes) else {
                throw .malformed(key, String(decoding: bytes.prefix(32), as: UTF8.self))
            }
            return fen
        }

        let status = try required("trade_status")
        guard let tradeStatus = TradeStatus(rawValue: status) else { throw .unknownTradeStatus(status) }
        guard let total = try amount("total_amount") else { throw .missing("total_amount") }

        self.notifyID = try required("notify_id")
        self.appID = try required("app_id")
        self.outTradeNo = try required("out_trade_no")
        self.tradeStatus = tradeStatus
        self.totalAmount = total
        self.refundFee = try amount("refund_fee")
        self.notifyTime = fields.nonEmptyString("notify_time")
        self.notifyType = fields.nonEmptyString("notify_type")
        self.sellerID = fields.nonEmptyString("seller_id")
        self.tradeNo = fields.nonEmptyString("trade_no")
        self.outBizNo = fields.nonEmptyString("out_biz_no")
        self.gmtPayment = fields.nonEmptyString("gmt_payment")
        self.gmtRefund = fields.nonEmptyString("gmt_refund")
        self.gmtClose = fields.nonEmptyString("gmt_close")
    }
}

extension Notification {
    /// The facts of this notification as the state machine and the ledger take them.
    public var observation: TradeObservation {
        TradeObservation(
            source: .notification(notifyID: notifyID), appID: appID, sellerID: sellerID, outTradeNo: outTradeNo,
            tradeNo: tradeNo, tradeStatus: tradeStatus, totalAmount: totalAmount, refundFee: refundFee,
            outBizNo: outBizNo, gmtPayment: gmtPayment, statedAt: notifyTime
        )
    }
}

/// Why a correctly signed body is still not a notification the daemon can act on.
public enum NotificationFieldError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(String)
    case malformed(String, String)
    case unknownTradeStatus(String)

    public var description: String {
        switch self {
        case .missing(let field): return "required parameter '\(field)' is missing or empty"
        case .malformed(let field, let value): return "parameter '\(field)' has a malformed value '\(value)'"
        case .unknownTradeStatus(let value): return "unknown trade_status '\(value)'"
        }
    }

    /// A short, stable label for metrics and the quarantine table.
    public var code: String {
        switch self {
        case .missing: return "missing_field"
        case .malformed: return "malformed_field"
        case .unknownTradeStatus: return "unknown_trade_status"
        }
    }
}
