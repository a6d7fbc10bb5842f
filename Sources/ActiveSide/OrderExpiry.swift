import AlipayNotify
import Foundation
import Ledger
import SystemSupport

/// When a new order expires, as a merchant says it (`--expires-in 15m`,
/// `--expires-at 2026-12-02T10:00:00Z`, `expires_in`/`expires_at` in JSON),
/// or `order-timeout` when nothing is said. The merchant should give Alipay
/// the same moment (`time_expire`, or `timeout_express`), so that both stop
/// taking the payment together.
public enum OrderExpiry: Sendable, Equatable {
    case after(seconds: Double)
    case at(epochSeconds: Double)

    /// Alipay takes orders that may be paid for at most 15 days.
    public static let longest = 15.0 * 86_400

    /// `30s`, `15m`, `2h`, `3d`: more than 0, at most 15 days.
    public static func duration(_ text: String) throws(OrderError) -> OrderExpiry {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value > 0, value.isFinite, value * seconds <= longest,
               text.dropLast(suffix.count).allSatisfy({ $0.isNumber }) {
                return .after(seconds: value * seconds)
            }
            break
        }
        throw .invalid("expires_in '\(text)' is not a duration: write it like 15m, 2h or 3d (more than 0, at most 15 days)")
    }

    /// `2026-12-02T10:00:00Z` (or with an offset, `+08:00`), or Alipay's
    /// `2026-12-02 18:00:00`, which is China time.
    public static func time(_ text: String) throws(OrderError) -> OrderExpiry {
        if let seconds = ChinaTime.parse(text) { return .at(epochSeconds: Double(seconds)) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return .at(epochSeconds: date.timeIntervalSince1970) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return .at(epochSeconds: date.timeIntervalSince1970) }
        throw .invalid("expires_at '\(text)' is not a time: write it like 2026-12-02T10:00:00Z, 2026-12-02T18:00:00+08:00, or Alipay's 2026-12-02 18:00:00 (China time)")
    }

    /// The moment, for an order registered at `now`; a moment already past
    /// or more than 15 days away is refused.
    public func moment(registeredAt now: Double) throws(OrderError) -> Double {
        switch self {
        case .after(let seconds):
            return now + seconds
        case .at(let epochSeconds):
            guard epochSeconds > now else {
                throw .invalid("expires_at \(Timestamp.of(epochSeconds: epochSeconds)) is in the past; an order must still be payable when it is registered")
            }
            guard epochSeconds - now <= Self.longest else { throw .invalid("expires_at is more than 15 days away (Alipay's longest)") }
            return epochSeconds
        }
    }
}

extension ReconciliationPolicy {
    /// A new order with its expiry (`expiry`, else `order-timeout`) and the
    /// time of its first query.
    public func newOrder(outTradeNo: String, amount: Fen, businessOrder: String?,
                         expiry: OrderExpiry?) throws(OrderError) -> (order: MerchantOrder, firstQueryAt: String) {
        try MerchantOrder.validate(outTradeNo: outTradeNo, totalAmount: amount, businessOrder: businessOrder)
        let now = Timestamp.nowEpochSeconds()
        let expiresAt = try (expiry ?? .after(seconds: orderTimeout.inSeconds)).moment(registeredAt: now)
        let order = MerchantOrder(outTradeNo: outTradeNo, totalAmount: amount, businessOrder: businessOrder,
                                  createdAt: Timestamp.of(epochSeconds: now), expiresAt: Timestamp.of(epochSeconds: expiresAt))
        return (order, Timestamp.of(epochSeconds: firstQuery(createdAt: now, expiresAt: expiresAt)))
    }
}
