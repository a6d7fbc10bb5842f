/// Where an order stands for the merchant, exactly one of five words: what
/// `trade show --json` says as `order.state`, what `orders list --state`
/// filters by, and what the metrics count.
public enum OrderState: String, Sendable, CaseIterable, Codable {
    /// Registered and not known to be paid or ended: the reconciler asks about it.
    case open
    /// A payment is recorded (it shipped, or was a duplicate payment of its business order).
    case paid
    /// Closed unpaid at Alipay (by the daemon at its expiry, or by Alipay).
    case closed
    /// Expired with no trade at Alipay: the buyer never started paying.
    case expired
    /// The last results were unknown for longer than `attention-after`: a
    /// person should look; the reconciler keeps asking at a slow pace.
    case attention

    /// Paid and closed orders are never asked about again.
    public var isFinal: Bool { self == .paid || self == .closed }
}
