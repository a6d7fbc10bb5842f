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
