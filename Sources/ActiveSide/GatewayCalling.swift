import AlipayOpenAPI
import Ledger

/// What the active side needs of Alipay's gateway: one signed call and its
/// answer, classified (a `GatewayAnswer`, whatever happened). The
/// reconciler's and the refunder's steps, payment serials and operator
/// refunds are written against it, so they are tested as units with a
/// gateway that answers from a script; the daemon gives them the real
/// client behind its turns (`PacedGateway`).
public protocol GatewayCalling: Sendable {
    /// Makes one call and says what it established.
    func call(_ request: GatewayRequest, outTradeNo: String) -> GatewayAnswer
    /// How long one call may take, with a margin: a claim is kept this long
    /// per call still to make.
    var callSeconds: Double { get }
    /// The gateway's address, for messages.
    var gatewayURL: String { get }
}

extension GatewayCalling {
    /// `alipay.trade.query` for one order.
    public func query(_ outTradeNo: String) -> GatewayAnswer {
        call(.tradeQuery(outTradeNo: outTradeNo), outTradeNo: outTradeNo)
    }

    /// `alipay.trade.close` for one order.
    public func close(_ outTradeNo: String) -> GatewayAnswer {
        call(.tradeClose(outTradeNo: outTradeNo), outTradeNo: outTradeNo)
    }

    /// `alipay.trade.refund` of one request (its `out_request_no` makes a
    /// retry the same request).
    public func refund(_ request: RefundRequest) -> GatewayAnswer {
        call(.tradeRefund(outTradeNo: request.outTradeNo, refundAmount: request.amount, outRequestNo: request.requestNo,
                          refundReason: request.reason), outTradeNo: request.outTradeNo)
    }

    /// `alipay.trade.fastpay.refund.query`: has this request's money moved?
    public func refundQuery(_ request: RefundRequest) -> GatewayAnswer {
        call(.refundQuery(outTradeNo: request.outTradeNo, outRequestNo: request.requestNo), outTradeNo: request.outTradeNo)
    }
}
