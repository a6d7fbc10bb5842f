import AlipayNotify
import AlipayOpenAPI
import Ledger

/// One call made to Alipay's gateway and what it established, with the id
/// that names it in the ledger: as a `GatewayCall` row always, and as an
/// observation of the trade when a verified query answer stated its status.
public struct GatewayAnswer: Sendable {
    public let callID: String
    public let method: GatewayMethod
    public let outTradeNo: String
    public let requestedAt: String
    public let answeredAt: String
    public let outcome: GatewayOutcome
    /// The body as it came over the wire; empty when none came.
    public let body: [UInt8]
    /// When Alipay answered, as Alipay writes times.
    public let statedAt: GatewayTimestamp

    /// The trade as a verified query answer states it; nil for anything
    /// else, or with the reason a verified answer cannot be read as one.
    public var observation: Result<TradeObservation, TradeQueryAnswerError>? {
        guard method == .tradeQuery, case .success(let success) = outcome else { return nil }
        do {
            return .success(try success.tradeObservation(id: callID, statedAt: statedAt))
        } catch {
            return .failure(error)
        }
    }

    /// The trade as a verified close success states it (closed unpaid, for
    /// the order's amount); nil for anything else.
    public func closeObservation(totalAmount: Fen) -> Result<TradeObservation, TradeQueryAnswerError>? {
        guard method == .tradeClose, case .success(let success) = outcome else { return nil }
        do {
            return .success(try success.closeObservation(id: callID, outTradeNo: outTradeNo, totalAmount: totalAmount, statedAt: statedAt))
        } catch {
            return .failure(error)
        }
    }

    /// The trade as a verified refund success states it (its cumulative
    /// refunded total); nil for anything else.
    public func refundObservation(totalAmount: Fen) -> Result<TradeObservation, TradeQueryAnswerError>? {
        guard method == .tradeRefund, case .success(let success) = outcome else { return nil }
        do {
            return .success(try success.refundObservation(id: callID, outTradeNo: outTradeNo, totalAmount: totalAmount, statedAt: statedAt))
        } catch {
            return .failure(error)
        }
    }

    /// The ledger's record of this call.
    public var ledgerRecord: GatewayCall {
        switch outcome {
        case .success(let success):
            var detail: String?
            var status = success.fields.nonEmptyString("trade_status")
            if case .failure(let error)? = observation {
                detail = "\(error)"
                status = nil
            }
            switch method {
            case .tradeRefund:
                detail = "fund_change=\(success.fields.nonEmptyString("fund_change") ?? "-"), refund_fee=\(success.fields.nonEmptyString("refund_fee") ?? "-")"
            case .refundQuery:
                detail = "refund_status=\(success.fields.nonEmptyString("refund_status") ?? "(none: not succeeded)")"
            default:
                break
            }
            return GatewayCall(id: callID, method: method.rawValue, outTradeNo: outTradeNo, requestedAt: requestedAt, answeredAt: answeredAt,
                               outcome: .succeeded, code: success.fields.nonEmptyString("code"), detail: detail, tradeStatus: status,
                               rawAnswer: body)
        case .refusal(let refusal):
            return GatewayCall(id: callID, method: method.rawValue, outTradeNo: outTradeNo, requestedAt: requestedAt, answeredAt: answeredAt,
                               outcome: .refused, code: refusal.code, subCode: refusal.subCode, detail: refusal.subMsg ?? refusal.msg,
                               rawAnswer: body)
        case .unknown(let reason):
            return GatewayCall(id: callID, method: method.rawValue, outTradeNo: outTradeNo, requestedAt: requestedAt, answeredAt: answeredAt,
                               outcome: .unknown, detail: "\(reason)", rawAnswer: body)
        }
    }
}
