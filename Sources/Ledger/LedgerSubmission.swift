import AlipayNotify

/// What the ledger writer is asked to record, after the signature check.
public enum LedgerSubmission: Sendable {
    /// An authentic notification that passed the checks that need no
    /// database (app_id, seller_id, well-formed fields).
    case notification(AcceptedNotification)
    /// An authentic notification that failed a check: kept for a person to see.
    case quarantine(QuarantineEntry)
}

/// A verified notification with its raw body, as received.
public struct AcceptedNotification: Sendable {
    public let notification: Notification
    public let rawBody: [UInt8]
    public let receivedAt: String

    public init(notification: Notification, rawBody: [UInt8], receivedAt: String = Timestamp.now()) {
        self.notification = notification
        self.rawBody = rawBody
        self.receivedAt = receivedAt
    }
}

/// A correctly signed notification the daemon refused, and why. Stored in
/// the `quarantine` table (never as trusted data) and answered `fail`, so
/// Alipay retries and an operator can fix the cause.
public struct QuarantineEntry: Sendable {
    public let reason: RejectionReason
    public let notifyID: String?
    public let outTradeNo: String?
    public let appID: String?
    public let totalAmount: String?
    public let rawBody: [UInt8]

    public init(reason: RejectionReason, notifyID: String?, outTradeNo: String?, appID: String?,
                totalAmount: String?, rawBody: [UInt8]) {
        self.reason = reason
        self.notifyID = notifyID
        self.outTradeNo = outTradeNo
        self.appID = appID
        self.totalAmount = totalAmount
        self.rawBody = rawBody
    }

    /// Repeats of the same refusal (Alipay's retries) share one row: the
    /// reason and notify_id, or a hash of the body when there is no notify_id.
    var deduplicationKey: String {
        if let notifyID { return "\(reason.code)|\(notifyID)" }
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in rawBody { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return "\(reason.code)|body:\(String(hash, radix: 16))"
    }
}
