import AlipayNotify

/// What each method does to the trade book and answers, as Alipay's gateway
/// does: the same codes, sub-codes and fields for the same situations.
extension SandboxGateway {
    func perform(_ method: String, nodeName: String, biz: [String: Any]) -> (SandboxAnswer, decoy: [(String, String)]?) {
        guard let outTradeNo = biz["out_trade_no"] as? String, !outTradeNo.isEmpty else {
            return (.refusal(nodeName, subCode: "ACQ.INVALID_PARAMETER", subMessage: "参数无效: out_trade_no", code: "40004"), nil)
        }
        switch method {
        case "alipay.trade.query": return query(outTradeNo, nodeName)
        case "alipay.trade.close": return (close(outTradeNo, nodeName), nil)
        case "alipay.trade.cancel": return (cancel(outTradeNo, nodeName), nil)
        case "alipay.trade.refund": return (refund(outTradeNo, nodeName, biz), nil)
        default: return (refundQuery(outTradeNo, nodeName, biz), nil)
        }
    }

    private static func notExist(_ nodeName: String) -> SandboxAnswer {
        .refusal(nodeName, subCode: "ACQ.TRADE_NOT_EXIST", subMessage: "交易不存在")
    }

    private func query(_ outTradeNo: String, _ nodeName: String) -> (SandboxAnswer, decoy: [(String, String)]?) {
        guard let trade = book.trade(outTradeNo) else { return (Self.notExist(nodeName), nil) }
        func members(_ status: TradeStatus) -> [(String, String)] {
            var members = [("trade_no", trade.tradeNo), ("out_trade_no", trade.outTradeNo), ("buyer_logon_id", "san***@sandbox.example"),
                           ("trade_status", status.rawValue), ("total_amount", trade.totalAmount.description)]
            if trade.isPaid {
                members.append(("buyer_pay_amount", trade.totalAmount.description))
                members.append(("send_pay_date", trade.paidAt ?? ""))
            }
            members.append(("store_name", "沙箱/测试门店"))
            return members
        }
        let answer = SandboxAnswer.success(nodeName, members(trade.status))
        let decoyStatus: TradeStatus = trade.status == .tradeSuccess ? .tradeClosed : .tradeSuccess
        return (answer, [("code", "10000"), ("msg", "Success")] + members(decoyStatus))
    }

    private func close(_ outTradeNo: String, _ nodeName: String) -> SandboxAnswer {
        guard let trade = book.trade(outTradeNo) else { return Self.notExist(nodeName) }
        guard trade.status == .waitBuyerPay else {
            return .refusal(nodeName, subCode: "ACQ.TRADE_STATUS_ERROR", subMessage: "交易状态不合法: \(trade.status.rawValue)")
        }
        book.update(outTradeNo) { $0.status = .tradeClosed }
        return .success(nodeName, [("trade_no", trade.tradeNo), ("out_trade_no", outTradeNo)])
    }

    private func cancel(_ outTradeNo: String, _ nodeName: String) -> SandboxAnswer {
        guard let trade = book.trade(outTradeNo) else { return Self.notExist(nodeName) }
        switch trade.status {
        case .waitBuyerPay:
            book.update(outTradeNo) { $0.status = .tradeClosed }
            return .success(nodeName, [("trade_no", trade.tradeNo), ("out_trade_no", outTradeNo), ("retry_flag", "N"), ("action", "close")])
        case .tradeSuccess:
            book.update(outTradeNo) { trade in
                let rest = trade.totalAmount - trade.refundedTotal
                if rest > .zero {
                    trade.refunds.append(.init(outRequestNo: "cancel", amount: rest, reason: "cancel", at: Self.chinaNow()))
                }
                trade.status = .tradeClosed
            }
            return .success(nodeName, [("trade_no", trade.tradeNo), ("out_trade_no", outTradeNo), ("retry_flag", "N"), ("action", "refund")])
        case .tradeFinished, .tradeClosed:
            return .refusal(nodeName, subCode: "ACQ.TRADE_STATUS_ERROR", subMessage: "交易状态不合法: \(trade.status.rawValue)")
        }
    }

    private func refund(_ outTradeNo: String, _ nodeName: String, _ biz: [String: Any]) -> SandboxAnswer {
        guard let amount = Self.amount(biz["refund_amount"]), amount > .zero else {
            return .refusal(nodeName, subCode: "ACQ.INVALID_PARAMETER", subMessage: "参数无效: refund_amount", code: "40004")
        }
        let requestNo = (biz["out_request_no"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? outTradeNo
        let reason = biz["refund_reason"] as? String
        var refusal: SandboxAnswer?
        var fundChange = "Y"
        let updated = book.update(outTradeNo) { trade in
            if let earlier = trade.refunds.first(where: { $0.outRequestNo == requestNo }) {
                // A retry of the same request moves no money again.
                if earlier.amount != amount {
                    refusal = .refusal(nodeName, subCode: "ACQ.DISCORDANT_REPEAT_REQUEST", subMessage: "请求信息不一致")
                }
                fundChange = "N"
                return
            }
            guard trade.status == .tradeSuccess, trade.isPaid else {
                refusal = .refusal(nodeName, subCode: "ACQ.TRADE_STATUS_ERROR", subMessage: "交易状态不合法: \(trade.status.rawValue)")
                return
            }
            guard trade.refundedTotal + amount <= trade.totalAmount else {
                refusal = .refusal(nodeName, subCode: "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", subMessage: "退款金额超限")
                return
            }
            trade.refunds.append(.init(outRequestNo: requestNo, amount: amount, reason: reason, at: Self.chinaNow()))
            if trade.refundedTotal == trade.totalAmount { trade.status = .tradeClosed }
        }
        guard let trade = updated else { return Self.notExist(nodeName) }
        if let refusal { return refusal }
        if fundChange == "Y" { onRefund?(trade) }
        return .success(nodeName, [("trade_no", trade.tradeNo), ("out_trade_no", outTradeNo), ("buyer_logon_id", "san***@sandbox.example"),
                                   ("fund_change", fundChange), ("refund_fee", trade.refundedTotal.description),
                                   ("gmt_refund_pay", Self.chinaNow())])
    }

    private func refundQuery(_ outTradeNo: String, _ nodeName: String, _ biz: [String: Any]) -> SandboxAnswer {
        guard let trade = book.trade(outTradeNo) else { return Self.notExist(nodeName) }
        let requestNo = (biz["out_request_no"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? outTradeNo
        guard let refund = trade.refunds.first(where: { $0.outRequestNo == requestNo }) else {
            // No such refund (yet): a success without refund_status.
            return .success(nodeName, [("trade_no", trade.tradeNo), ("out_trade_no", outTradeNo), ("out_request_no", requestNo)])
        }
        return .success(nodeName, [("trade_no", trade.tradeNo), ("out_trade_no", outTradeNo), ("out_request_no", requestNo),
                                   ("refund_amount", refund.amount.description), ("total_amount", trade.totalAmount.description),
                                   ("refund_status", "REFUND_SUCCESS"), ("gmt_refund_pay", refund.at)])
    }
}
