/// Business orders' claims, written once for both stores: each statement
/// is one short transaction, never one held across a call to Alipay.
/// PostgreSQL serializes two claims of one business order on its unique
/// key (the second `INSERT … ON CONFLICT` waits for the first to commit,
/// then finds the lease running); SQLite on its write lock.
extension SQLLedgerStore {
    public func claimBusinessOrder(_ businessOrder: String, owner: String, leaseSeconds: Double) throws -> Bool {
        let values: [SQLValue] = [.text(businessOrder), .text(owner), .text(Timestamp.fromNow(seconds: leaseSeconds)), .text(Timestamp.now())]
        return try inTransaction { try $0.run(BusinessOrderClaimStatements.claim, values) == 1 }
    }

    public func renewBusinessOrderClaim(_ businessOrder: String, owner: String, leaseSeconds: Double) throws -> Bool {
        let values: [SQLValue] = [.text(businessOrder), .text(owner), .text(Timestamp.fromNow(seconds: leaseSeconds))]
        return try inTransaction { try $0.run(BusinessOrderClaimStatements.renew, values) == 1 }
    }

    @discardableResult
    public func releaseBusinessOrderClaim(_ businessOrder: String, owner: String) throws -> Bool {
        try inTransaction { try $0.run(BusinessOrderClaimStatements.release, [.text(businessOrder), .text(owner)]) == 1 }
    }

    @discardableResult
    public func releaseBusinessOrderClaims(ownerPrefix prefix: String) throws -> Int {
        try inTransaction { try $0.run(BusinessOrderClaimStatements.releaseByPrefix, [.text(prefix)]) }
    }

    public func addSerial(_ order: MerchantOrder, firstQueryAt: String?, claimedBy owner: String, leaseSeconds: Double) throws -> SerialRegistration {
        guard let businessOrder = order.businessOrder else { throw OrderError.invalid("a serial needs its business order") }
        try MerchantOrder.validate(outTradeNo: order.outTradeNo, totalAmount: order.totalAmount, businessOrder: businessOrder)
        let renewal: [SQLValue] = [.text(businessOrder), .text(owner), .text(Timestamp.fromNow(seconds: leaseSeconds))]
        return try inTransaction { connection in
            guard try connection.run(BusinessOrderClaimStatements.renew, renewal) == 1 else { return .claimLost }
            let inserted = try connection.run(LedgerWrites.insertOrder, LedgerWrites.orderValues(order, firstQueryAt: firstQueryAt))
            return inserted == 1 ? .added : .taken
        }
    }
}
