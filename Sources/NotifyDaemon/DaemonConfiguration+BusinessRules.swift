import Ledger

extension DaemonConfiguration {
    /// The checks every observation passes, as this configuration states
    /// them: for the notify endpoint and for `trade query` alike.
    public var businessRules: BusinessRules {
        BusinessRules(appIDs: Set(appIDs), sellerID: sellerID, acceptsUnknownOrders: acceptsUnknownOrders)
    }
}
