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
        observation(orderAmount: nil)
    }

    /// The trade as this verified answer states it: a query's status, a
    /// close's unpaid close and a refund's cumulative refunded total, both
    /// for `orderAmount` (the order's, which those answers do not carry);
    /// nil for any other answer, or without the amount they need.
    public func observation(orderAmount: Fen?) -> Result<TradeObservation, TradeQueryAnswerError>? {
        guard case .success(let success) = outcome else { return nil }
        do {
            switch method {
            case .tradeQuery:
                return .success(try success.tradeObservation(id: callID, statedAt: statedAt))
            case .tradeClose:
                guard let orderAmount else { return nil }
                return .success(try success.closeObservation(id: callID, outTradeNo: outTradeNo, totalAmount: orderAmount, statedAt: statedAt))
            case .tradeRefund:
                guard let orderAmount else { return nil }
                return .success(try success.refundObservation(id: callID, outTradeNo: outTradeNo, totalAmount: orderAmount, statedAt: statedAt))
            case .tradeCancel, .refundQuery, .certificateDownload:
                return nil
            }
        } catch {
            return .failure(error)
        }
    }

    /// The one way from an answer to what the ledger records with its call:
    /// the observation it states, with its raw bytes, under the business
    /// checks in force; nil when it states none it can be read as.
    public func submission(orderAmount: Fen?, rules: BusinessRules) -> AcceptedObservation? {
        guard case .success(let stated)? = observation(orderAmount: orderAmount) else { return nil }
        return AcceptedObservation(observation: stated, rawBody: body, rules: rules)
    }

    /// The call's result as the metrics label it: `success`, the refusal's
    /// kind (`no_such_trade`, `business_refusal`, `configuration_error`,
    /// `rate_limited`) or `unknown`.
    public var resultLabel: String {
        switch outcome {
        case .success: return "success"
        case .refusal(let refusal): return refusal.kind.rawValue
        case .unknown: return "unknown"
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
