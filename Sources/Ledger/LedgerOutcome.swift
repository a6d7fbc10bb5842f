import AlipayNotify

/// What became of one submission. Only `recorded` and `duplicate` are
/// answered `success`, and only once the transaction holding them committed.
public enum LedgerOutcome: Sendable {
    /// Written: the notification row, the trade, and the events decided.
    case recorded(TradeDecision)
    /// The observation's id (a notify_id) was recorded before; nothing changed.
    case duplicate
    /// Refused for a business reason and quarantined.
    case rejected(RejectionReason)
    /// The ledger could not record it (disk full, database locked, I/O
    /// error): nothing was written; Alipay will retry.
    case unavailable(String)

    public var isSuccess: Bool {
        switch self {
        case .recorded, .duplicate: return true
        case .rejected, .unavailable: return false
        }
    }
}
