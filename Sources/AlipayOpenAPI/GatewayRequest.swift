import AlipayNotify

/// One call to the gateway before it is signed: the method, its business
/// parameters and, for calls that cause notifications, where they go. The
/// common parameters come from the `MerchantApp` and the time of signing.
public struct GatewayRequest: Sendable, Equatable {
    public let method: GatewayMethod
    public let bizContent: BizContent
    public let notifyURL: String?

    public init(method: GatewayMethod, bizContent: BizContent, notifyURL: String? = nil) {
        self.method = method
        self.bizContent = bizContent
        self.notifyURL = notifyURL
    }

    /// `alipay.trade.query` by the merchant's order number.
    public static func tradeQuery(outTradeNo: String) -> GatewayRequest {
        var content = BizContent()
        content.add("out_trade_no", outTradeNo)
        return GatewayRequest(method: .tradeQuery, bizContent: content)
    }

    /// `alipay.trade.close` of an unpaid trade.
    public static func tradeClose(outTradeNo: String) -> GatewayRequest {
        var content = BizContent()
        content.add("out_trade_no", outTradeNo)
        return GatewayRequest(method: .tradeClose, bizContent: content)
    }

    /// `alipay.trade.cancel` of a payment call whose result is unknown.
    public static func tradeCancel(outTradeNo: String) -> GatewayRequest {
        var content = BizContent()
        content.add("out_trade_no", outTradeNo)
        return GatewayRequest(method: .tradeCancel, bizContent: content)
    }

    /// `alipay.trade.refund`. A retry of one refund request must reuse its
    /// `outRequestNo` with the same amount; a new partial refund needs a new one.
    public static func tradeRefund(outTradeNo: String, refundAmount: Fen, outRequestNo: String, refundReason: String? = nil) -> GatewayRequest {
        var content = BizContent()
        content.add("out_trade_no", outTradeNo)
        content.add("refund_amount", amount: refundAmount)
        content.add("out_request_no", outRequestNo)
        content.add("refund_reason", refundReason)
        return GatewayRequest(method: .tradeRefund, bizContent: content)
    }

    /// `alipay.trade.fastpay.refund.query` of one refund request.
    public static func refundQuery(outTradeNo: String, outRequestNo: String) -> GatewayRequest {
        var content = BizContent()
        content.add("out_trade_no", outTradeNo)
        content.add("out_request_no", outRequestNo)
        return GatewayRequest(method: .refundQuery, bizContent: content)
    }

    /// `alipay.open.app.alipaycert.download` of the certificate `alipayCertSN` names.
    public static func certificateDownload(alipayCertSN: String) -> GatewayRequest {
        var content = BizContent()
        content.add("alipay_cert_sn", alipayCertSN)
        return GatewayRequest(method: .certificateDownload, bizContent: content)
    }

    /// Every parameter but `sign`, in the order they are sent. Optional
    /// parameters without a value are left out.
    public func unsignedParameters(app: MerchantApp, timestamp: GatewayTimestamp) -> [(key: String, value: String)] {
        var parameters: [(key: String, value: String)] = [
            ("app_id", app.appID),
            ("method", method.rawValue),
            ("format", "JSON"),
            ("charset", "utf-8"),
            ("sign_type", "RSA2"),
            ("timestamp", timestamp.text),
            ("version", "1.0"),
        ]
        if let notifyURL, !notifyURL.isEmpty { parameters.append(("notify_url", notifyURL)) }
        if let sn = app.appCertSN, !sn.isEmpty { parameters.append(("app_cert_sn", sn)) }
        if let sn = app.alipayRootCertSN, !sn.isEmpty { parameters.append(("alipay_root_cert_sn", sn)) }
        parameters.append(("biz_content", bizContent.json))
        return parameters
    }
}
