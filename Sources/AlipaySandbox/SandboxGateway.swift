import AlipayCrypto
import AlipayNotify
import Foundation

/// `gateway.do` as Alipay answers it: every request's signature, app_id,
/// timestamp and parameters checked first (an unsigned gateway error when
/// they fail, as Alipay sends them), then `alipay.trade.query`, `.close`,
/// `.cancel`, `.refund` and `.fastpay.refund.query` on the trade book, each
/// answer signed over its node as sent, or spoiled by an armed fault.
public struct SandboxGateway: Sendable {
    let configuration: SandboxConfiguration
    let book: SandboxTradeBook
    /// Seconds since 1970, injectable for tests of the timestamp check.
    let now: @Sendable () -> Int64
    /// Told of every refund that moved money (the server notifies it).
    let onRefund: (@Sendable (SandboxTrade) -> Void)?

    public init(configuration: SandboxConfiguration, book: SandboxTradeBook,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
                onRefund: (@Sendable (SandboxTrade) -> Void)? = nil) {
        self.configuration = configuration
        self.book = book
        self.now = now
        self.onRefund = onRefund
    }

    /// The methods it answers.
    static let methods = ["alipay.trade.query", "alipay.trade.close", "alipay.trade.cancel", "alipay.trade.refund",
                          "alipay.trade.fastpay.refund.query", "alipay.open.app.alipaycert.download"]

    /// The answer to one request body (and its query string, where some
    /// SDKs put the common parameters), with how long to wait before sending it.
    public func answer(body: [UInt8], query: Substring = "") -> (body: [UInt8], delaySeconds: Double) {
        let receivedAt = Date().timeIntervalSince1970
        let form: FormFields
        do {
            form = try FormFields(body: query.isEmpty ? body : Array(query.utf8) + [UInt8(ascii: "&")] + body)
        } catch {
            return (Self.gatewayError(nodeName: "error_response", subCode: "isv.invalid-parameter", "\(error)"), 0)
        }
        let method = form.nonEmptyString("method") ?? ""
        let nodeName = Self.methods.contains(method) ? method.replacing(".", with: "_") + "_response" : "error_response"
        let biz = Self.object(form.string("biz_content"))
        let outTradeNo = biz?["out_trade_no"] as? String
        if let refusal = check(form, method: method, nodeName: nodeName, biz: biz) {
            book.log(.init(method: method, outTradeNo: outTradeNo, code: "40002", subCode: refusal.subCode, fault: nil, at: Self.chinaNow(),
                           receivedAt: receivedAt))
            return (Self.gatewayError(nodeName: nodeName, subCode: refusal.subCode, refusal.message), 0)
        }
        let armed = book.takeFault(outTradeNo: outTradeNo, method: method)
        var answer: SandboxAnswer
        var decoy: [(String, String)]?
        if armed?.fault == .busy {
            answer = SandboxAnswer(nodeName: nodeName, members: [("code", "20000"), ("msg", "Service Currently Unavailable"),
                                                                 ("sub_code", "isp.unknow-error"), ("sub_msg", "系统繁忙")])
        } else if armed?.fault == .rateLimited {
            answer = SandboxAnswer(nodeName: nodeName, members: [("code", "40005"), ("msg", "Call Limited"),
                                                                 ("sub_code", "aop.call-limited"), ("sub_msg", "调用频次超限")])
        } else if method == "alipay.open.app.alipaycert.download" {
            answer = certificateDownload(nodeName, sn: biz?["alipay_cert_sn"] as? String)
        } else if armed?.fault == .anotherTrade, let other = armed?.other {
            var asked = biz ?? [:]
            asked["out_trade_no"] = other.outTradeNo
            if let requestNo = other.requestNo { asked["out_request_no"] = requestNo }
            (answer, decoy) = perform(method, nodeName: nodeName, biz: asked)
        } else {
            (answer, decoy) = perform(method, nodeName: nodeName, biz: biz ?? [:])
        }
        let code = answer.members.first { $0.0 == "code" }?.1 ?? ""
        book.log(.init(method: method, outTradeNo: outTradeNo, code: code, subCode: answer.members.first { $0.0 == "sub_code" }?.1,
                       fault: armed?.fault.rawValue, at: Self.chinaNow(), receivedAt: receivedAt))
        do {
            let signer = self.signer(forAnswer: book.countSignedAnswer())
            let bytes = try answer.body(signer: signer.key, certificateSN: signer.certificate?.sn, fault: armed?.fault, decoy: decoy)
            return (bytes, armed?.fault == .slow ? armed?.delaySeconds ?? 30 : configuration.latencySeconds)
        } catch {
            return (Self.gatewayError(nodeName: nodeName, subCode: "isp.sign-error", "the sandbox could not sign: \(error)", code: "20000"), 0)
        }
    }

    /// Who signs the answer numbered `number`: Alipay's first identity,
    /// or once the rotation's count has passed, the next one.
    func signer(forAnswer number: Int) -> (key: RSAPrivateKey, certificate: SandboxConfiguration.SandboxCertificate?) {
        if let rotation = configuration.rotation, number > rotation.after { return (rotation.key, rotation.certificate) }
        return (configuration.alipayPrivateKey, configuration.alipayCertificate)
    }

    /// `alipay.open.app.alipaycert.download`: one of Alipay's certificates by SN, base64 of its PEM.
    func certificateDownload(_ nodeName: String, sn: String?) -> SandboxAnswer {
        let known = [configuration.alipayCertificate, configuration.rotation?.certificate].compactMap { $0 }
        guard let sn, let certificate = known.first(where: { $0.sn == sn }) else {
            return .refusal(nodeName, subCode: "ISV.CERT_NOT_EXIST", subMessage: "证书不存在: alipay_cert_sn \(sn ?? "(none)")")
        }
        return .success(nodeName, [("alipay_cert_content", Base64.encode(certificate.pem))])
    }

    /// What Alipay checks before it looks at a request's business.
    private func check(_ form: FormFields, method: String, nodeName: String, biz: [String: Any]?) -> (subCode: String, message: String)? {
        for name in ["app_id", "method", "charset", "sign_type", "sign", "timestamp", "version", "biz_content"] where form.nonEmptyString(name) == nil {
            return ("isv.missing-\(name.replacing("_", with: "-"))", "缺少参数 \(name)")
        }
        guard form.nonEmptyString("app_id") == configuration.appID else { return ("isv.invalid-app-id", "无效的AppID参数") }
        guard Self.methods.contains(method) else { return ("isv.invalid-method", "不存在的方法名") }
        guard form.nonEmptyString("sign_type") == "RSA2" else { return ("isv.invalid-signature-type", "无效签名类型") }
        guard form.nonEmptyString("charset")?.lowercased() == "utf-8" else { return ("isv.invalid-charset", "字符集错误") }
        guard let timestamp = form.nonEmptyString("timestamp").flatMap(ChinaTime.parse) else {
            return ("isv.invalid-timestamp", "非法的时间戳参数: yyyy-MM-dd HH:mm:ss")
        }
        guard abs(timestamp - now()) <= configuration.timestampTolerance else {
            return ("isv.invalid-timestamp", "时间戳与支付宝时间相差过大 (timestamp \(ChinaTime.format(secondsSince1970: timestamp)), Alipay \(ChinaTime.format(secondsSince1970: now())))")
        }
        guard let signature = form.nonEmptyString("sign").flatMap({ Base64.decode(Array($0.utf8)) }),
              RSAVerifier.isValid(signature: signature, of: form.requestSignedContent, key: configuration.appPublicKey, algorithm: .rsa2) else {
            return ("isv.invalid-signature", "验签出错: the request's signature does not verify with the app public key")
        }
        if let expected = configuration.appCertSN, form.nonEmptyString("app_cert_sn") != expected {
            return ("isv.invalid-app-cert-sn", "应用公钥证书序列号不匹配: app_cert_sn \(form.nonEmptyString("app_cert_sn") ?? "(none)") is not the uploaded certificate's \(expected)")
        }
        if let expected = configuration.alipayRootCertSN, form.nonEmptyString("alipay_root_cert_sn") != expected {
            return ("isv.invalid-alipay-root-cert-sn", "支付宝根证书序列号不匹配: alipay_root_cert_sn \(form.nonEmptyString("alipay_root_cert_sn") ?? "(none)") is not \(expected)")
        }
        guard biz != nil else { return ("isv.invalid-parameter", "biz_content is not a JSON object") }
        return nil
    }

    /// A gateway-level error, unsigned, as Alipay sends them.
    static func gatewayError(nodeName: String, subCode: String, _ message: String, code: String = "40002") -> [UInt8] {
        let node = SandboxAnswer.node([("code", code), ("msg", "Invalid Arguments"), ("sub_code", subCode), ("sub_msg", message)],
                                      unicodeEscapes: false, escapedSlashes: false)
        return Array("{\"\(nodeName)\":".utf8) + node + [UInt8(ascii: "}")]
    }

    static func object(_ text: String?) -> [String: Any]? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// An amount as a biz_content gives it: "88.88" or 88.88.
    static func amount(_ value: Any?) -> Fen? {
        if let text = value as? String { return Fen(decimal: text) }
        if let number = value as? NSNumber { return Fen(decimal: number.stringValue) }
        return nil
    }
}

extension SandboxGateway {
    /// The time now as Alipay writes it.
    static func chinaNow() -> String {
        ChinaTime.format(secondsSince1970: Int64(Date().timeIntervalSince1970))
    }
}
