import AlipayNotify

/// Refund requests, written once for both stores. A request is a row before
/// it is a call; its due time is also the end of the lease of the daemon
/// (or command) that holds it, as for the reconciler's orders.
extension SQLLedgerStore {
    /// Records an operator's refund request after the checks that need no
    /// call: the trade is known and paid, the amount fits in what is paid
    /// and not refunded or promised back, and a request with the same
    /// number is the same refund. With an `owner`, it is claimed by it for
    /// `leaseSeconds` (the caller sends it at once); without, it is due now.
    public func requestRefund(_ request: RefundRequest, owner: String?, leaseSeconds: Double) throws -> RefundRequestOutcome {
        guard !request.requestNo.isEmpty, request.requestNo.utf8.count <= RefundRequest.maximumRequestNoLength,
              request.requestNo.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .refused("request_no must be 1 to 64 letters, digits or ASCII punctuation (Alipay's out_request_no)")
        }
        if let problem = TradeAmount.problem(request.amount, what: "the refund amount") { return .refused(problem) }
        return try inTransaction { connection in
            let transaction = LedgerTransaction(connection: connection)
            let order = try transaction.order(request.outTradeNo)
            let trade = try transaction.lockTrade(request.outTradeNo, businessOrder: order?.businessOrder)
            let key: [SQLValue] = [.text(request.outTradeNo), .text(request.requestNo)]
            if let existing = try connection.firstRow(RefundStatements.one, key, RefundStatements.request) {
                guard existing.amount == request.amount else {
                    return .refused("request_no \(request.requestNo) is already a refund of \(existing.amount) for \(request.outTradeNo), not \(request.amount); a new refund needs a new request_no")
                }
                return .existing(existing)
            }
            guard let trade else { return .refused("no trade \(request.outTradeNo) is recorded: nothing was paid that could go back") }
            guard trade.paid else { return .refused("trade \(request.outTradeNo) is not paid (\(trade.status.rawValue)): nothing to refund") }
            let (succeeded, promised) = try connection.firstRow(RefundStatements.amounts, [.text(request.outTradeNo)]) {
                (Fen($0.int(0)), Fen($0.int(1)))
            } ?? (.zero, .zero)
            let refunded = max(trade.refunded, succeeded)
            let refundable = trade.totalAmount - refunded - promised
            guard request.amount <= refundable else {
                return .refused("\(request.amount) is more than can go back: paid \(trade.totalAmount), refunded \(refunded), pending \(promised), so at most \(max(.zero, refundable))")
            }
            var recorded = request
            let now = Timestamp.now()
            recorded.createdAt = now
            recorded.updatedAt = now
            recorded.leaseOwner = owner
            recorded.nextAttemptAt = owner == nil ? now : Timestamp.fromNow(seconds: leaseSeconds)
            try connection.run(RefundStatements.insert, RefundStatements.insertValues(recorded))
            return .recorded(recorded)
        }
    }

    public func refundRequest(outTradeNo: String, requestNo: String) throws -> RefundRequest? {
        try reading { try $0.firstRow(RefundStatements.one, [.text(outTradeNo), .text(requestNo)], RefundStatements.request) }
    }

    public func refundRequests(requestNo: String) throws -> [RefundRequest] {
        try reading { try $0.rows(RefundStatements.byRequestNo, [.text(requestNo)], RefundStatements.request) }
    }

    public func claimDueRefunds(owner: String, limit: Int, leaseSeconds: Double) throws -> [RefundRequest] {
        try claimDue(lock: RefundStatements.claimLock, due: RefundStatements.due, claim: RefundStatements.claim,
                     owner: owner, limit: limit, leaseSeconds: leaseSeconds, key: { [.text($0.text(0)), .text($0.text(1))] },
                     decode: RefundStatements.request)
    }

    public func claimRefund(outTradeNo: String, requestNo: String, owner: String, leaseSeconds: Double) throws -> RefundRequest? {
        let now = Timestamp.now()
        return try inTransaction { connection in
            try connection.firstRow(RefundStatements.claim, [.text(outTradeNo), .text(requestNo), .text(Timestamp.fromNow(seconds: leaseSeconds)),
                                                             .text(owner), .text(now)], RefundStatements.request)
        }
    }

    @discardableResult
    public func releaseRefundClaims(ownerPrefix prefix: String) throws -> Int {
        try inTransaction { try $0.run(RefundStatements.release, [.text(prefix), .text(Timestamp.now())]) }
    }

    public func beginRefundAttempt(_ request: RefundRequest, call: RefundCall, owner: String?) throws -> Bool {
        try inTransaction { connection in
            try connection.run(RefundStatements.attempt, [.text(request.outTradeNo), .text(request.requestNo),
                                                          .integer(call == .refund ? 1 : 0), .text(Timestamp.now()), .optional(owner)]) == 1
        }
    }

    public func retryRefund(outTradeNo: String, requestNo: String) throws -> Bool {
        try inTransaction { try $0.run(RefundStatements.retry, [.text(outTradeNo), .text(requestNo), .text(Timestamp.now())]) == 1 }
    }

    public func refundCounts() throws -> RefundCounts {
        try reading { connection in
            var byState: [RefundState: Int] = [:]
            for (state, count) in try connection.rows(RefundStatements.countsByState, [], { ($0.text(0), Int($0.int(1))) }) {
                if let state = RefundState(rawValue: state) { byState[state] = count }
            }
            let oldest = try connection.firstRow(RefundStatements.oldestAttention, []) { $0.optionalText(0) } ?? nil
            return RefundCounts(byState: byState, oldestAttentionSince: oldest)
        }
    }
}
