import ActiveSide
import Ledger

extension DaemonConfiguration {
    /// The checks every observation passes, as this configuration states
    /// them (and whether a duplicate payment is refunded by itself): for the
    /// notify endpoint, the reconciler and `trade query` alike.
    public var businessRules: BusinessRules {
        BusinessRules(appIDs: Set(appIDs), sellerID: sellerID, acceptsUnknownOrders: acceptsUnknownOrders,
                      refundsDuplicatePayments: refundsDuplicatePayments)
    }

    /// How refund requests are retried: `attention-after` is the
    /// reconciler's, one window for every unknown result.
    public var refundPolicy: RefundPolicy {
        var policy = RefundPolicy()
        policy.attentionAfter = reconciliation.attentionAfter
        policy.queryPause = refundQueryPause
        return policy
    }
}
