import AlipayOpenAPI

/// Which calls go first when several wait for a turn: money moves first.
/// A refund or a close waits behind no query, so a slow reconciliation
/// backlog never delays giving a duplicate payment back or stopping an
/// order from being paid.
public enum GatewayCallPriority: Int, Sendable, Comparable, CaseIterable {
    /// Calls that move money or stop it moving: refunds, closes, cancels.
    case money = 0
    /// Calls that only ask: trade queries, refund queries.
    case query = 1

    public init(_ method: GatewayMethod) {
        switch method {
        case .tradeRefund, .tradeClose, .tradeCancel: self = .money
        case .tradeQuery, .refundQuery, .certificateDownload: self = .query
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
