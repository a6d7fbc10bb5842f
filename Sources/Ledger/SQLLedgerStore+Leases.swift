/// Claims renewed while their work goes on (see `ClaimingWorkers`): each
/// item still held by `owner` is leased `leaseSeconds` from now again, in
/// one transaction; the count of leases renewed comes back.
extension SQLLedgerStore {
    @discardableResult
    public func renewOrderClaims(_ outTradeNos: [String], owner: String, leaseSeconds: Double) throws -> Int {
        let until = Timestamp.fromNow(seconds: leaseSeconds)
        return try inTransaction { connection in
            try outTradeNos.reduce(0) { $0 + (try connection.run(LeaseStatements.renewOrder, [.text($1), .text(until), .text(owner)])) }
        }
    }

    @discardableResult
    public func renewRefundClaims(_ requests: [RefundRequest], owner: String, leaseSeconds: Double) throws -> Int {
        let until = Timestamp.fromNow(seconds: leaseSeconds)
        return try inTransaction { connection in
            try requests.reduce(0) {
                $0 + (try connection.run(LeaseStatements.renewRefund, [.text($1.outTradeNo), .text($1.requestNo), .text(until), .text(owner)]))
            }
        }
    }

    @discardableResult
    public func renewEventLeases(_ ids: [String], owner: String, leaseSeconds: Double) throws -> Int {
        let until = Timestamp.fromNow(seconds: leaseSeconds)
        return try inTransaction { connection in
            try ids.reduce(0) { $0 + (try connection.run(LeaseStatements.renewEvent, [.text($1), .text(until), .text(owner)])) }
        }
    }
}
