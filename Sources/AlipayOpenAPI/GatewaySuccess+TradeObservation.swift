import AlipayNotify

extension GatewaySuccess {
    /// A verified `alipay.trade.query` success as an observation of the
    /// trade, to take the same way through the ledger as a notification.
    ///
    /// - Parameters:
    ///   - id: the id the daemon gave the call (unique among gateway
    ///     answers: recording the same answer twice is a no-op).
    ///   - statedAt: when the gateway answered.
    public func tradeObservation(id: String, statedAt: GatewayTimestamp) throws(TradeQueryAnswerError) -> TradeObservation {
        guard method == .tradeQuery else { throw .notATradeQuery(method) }
        guard let outTradeNo = fields.nonEmptyString("out_trade_no") else { throw .missingField("out_trade_no") }
        guard let statusText = fields.nonEmptyString("trade_status") else { throw .missingField("trade_status") }
        guard let status = TradeStatus(rawValue: statusText) else { throw .unknownTradeStatus(statusText) }
        guard let amountText = fields.nonEmptyString("total_amount") else { throw .missingField("total_amount") }
        guard let amount = Fen(decimal: amountText) else { throw .malformedAmount(field: "total_amount", value: amountText) }
        return TradeObservation(
            source: .gatewayAnswer(id: id),
            appID: nil,
            outTradeNo: outTradeNo,
            tradeNo: fields.nonEmptyString("trade_no"),
            tradeStatus: status,
            totalAmount: amount,
            gmtPayment: fields.nonEmptyString("send_pay_date"),
            statedAt: statedAt.text
        )
    }
}

extension GatewaySuccess {
    /// A verified `alipay.trade.close` success as an observation: Alipay
    /// closed a trade that was waiting for the buyer, so it ends unpaid. The
    /// answer does not repeat the amount: `totalAmount` is the order's.
    public func closeObservation(id: String, outTradeNo: String, totalAmount: Fen,
                                 statedAt: GatewayTimestamp) throws(TradeQueryAnswerError) -> TradeObservation {
        guard method == .tradeClose else { throw .notATradeQuery(method) }
        if let stated = fields.nonEmptyString("out_trade_no"), stated != outTradeNo { throw .anotherOrder(asked: outTradeNo, answered: stated) }
        return TradeObservation(
            source: .gatewayAnswer(id: id),
            appID: nil,
            outTradeNo: outTradeNo,
            tradeNo: fields.nonEmptyString("trade_no"),
            tradeStatus: .tradeClosed,
            totalAmount: totalAmount,
            statedAt: statedAt.text
        )
    }
}

extension GatewaySuccess {
    /// A refund answer's `fund_change`: true for `Y` (money moved in this
    /// call), false for `N` (it did not move in this call: confirm with the
    /// refund query), nil when absent.
    public var fundChanged: Bool? {
        switch fields.nonEmptyString("fund_change") {
        case "Y": return true
        case "N": return false
        default: return nil
        }
    }

    /// A refund query's verdict: true when `refund_status` is
    /// `REFUND_SUCCESS`; false without one (not succeeded, or not yet).
    public var refundSucceeded: Bool {
        fields.nonEmptyString("refund_status") == "REFUND_SUCCESS"
    }

    /// A verified `alipay.trade.refund` success as an observation: its
    /// `refund_fee` is the trade's cumulative refunded total. A total that
    /// reaches the amount paid closes the trade (Alipay does), so the final
    /// refund is part of the close. `totalAmount` is the order's: the
    /// answer does not repeat it.
    public func refundObservation(id: String, outTradeNo: String, totalAmount: Fen,
                                  statedAt: GatewayTimestamp) throws(TradeQueryAnswerError) -> TradeObservation {
        guard method == .tradeRefund else { throw .notATradeQuery(method) }
        if let stated = fields.nonEmptyString("out_trade_no"), stated != outTradeNo { throw .anotherOrder(asked: outTradeNo, answered: stated) }
        guard let text = fields.nonEmptyString("refund_fee") else { throw .missingField("refund_fee") }
        guard let refunded = Fen(decimal: text) else { throw .malformedAmount(field: "refund_fee", value: text) }
        return TradeObservation(
            source: .gatewayAnswer(id: id),
            appID: nil,
            outTradeNo: outTradeNo,
            tradeNo: fields.nonEmptyString("trade_no"),
            tradeStatus: refunded >= totalAmount ? .tradeClosed : .tradeSuccess,
            totalAmount: totalAmount,
            refundFee: refunded,
            statedAt: statedAt.text
        )
    }
}
