import AlipayCrypto

extension GatewayOutcome {
    /// `code`s and `sub_code`s that mean the service failed or was busy:
    /// the call may or may not have taken effect.
    static let busyCodes: Set<String> = ["20000"]
    static let busySubCodes: Set<String> = ["ACQ.SYSTEM_ERROR", "isp.unknow-error", "aop.unknow-error"]

    /// A failure on Alipay's side, whatever `code` came with it: the listed
    /// sub-codes, any `isp.` (service provider) error and any
    /// `…SYSTEM_ERROR` (the sandbox's `aop.SYSTEM_ERROR`). Taking one of
    /// them for a final refusal would be a guess; as unknown it is retried.
    static func meansBusy(code: String, subCode: String?) -> Bool {
        if busyCodes.contains(code) { return true }
        guard let subCode else { return false }
        return busySubCodes.contains(subCode) || subCode.hasPrefix("isp.") || subCode.hasSuffix("SYSTEM_ERROR")
    }
    /// Our request or our app is wrong: a person must fix the configuration.
    static let configurationCodes: Set<String> = ["40001", "40002", "40006", "20001"]

    /// Classifies one answer of the gateway to a call of `method`: the HTTP
    /// status, the raw body, and the Alipay public keys in force.
    ///
    /// In order: a status other than 200 is unknown; the body is scanned
    /// for the node (refusing repeats, trailing bytes, anything not JSON);
    /// the node's exact bytes are verified; only then its fields are read
    /// and the code decides success, the kind of refusal, or (busy, an
    /// unrecognized code) unknown.
    public static func classify(httpStatus: Int, body: [UInt8], method: GatewayMethod, keys: [RSAPublicKey]) -> GatewayOutcome {
        guard httpStatus == 200 else { return .unknown(.httpStatus(httpStatus)) }
        let scanned: ScannedAnswer
        do {
            scanned = try AnswerScanner.scan(body, method: method)
        } catch {
            if case .nodeRepeated(let name) = error { return .unknown(.nodeRepeated(name)) }
            return .unknown(.malformed(error))
        }
        let node = body[scanned.node]
        guard let sign = scanned.sign, !sign.isEmpty else {
            return .unknown(.unsigned(claim: unverifiedClaim(body, scanned)))
        }
        let match: ResponseNodeSignature.Match
        switch ResponseNodeSignature.verify(node: node, sign: sign, keys: keys) {
        case .success(let verified):
            match = verified
        case .failure(.notBase64):
            return .unknown(.signNotBase64(claim: unverifiedClaim(body, scanned)))
        case .failure(.mismatch):
            return .unknown(.signatureMismatch(keyCount: keys.count, claim: unverifiedClaim(body, scanned)))
        }

        // Verified: from here on the node's contents are Alipay's word.
        let fields: ResponseNodeFields
        do {
            fields = try ResponseNodeFields(body, node: scanned.node)
        } catch {
            return .unknown(.unreadableNode(error.description))
        }
        guard let code = fields.nonEmptyString("code") else {
            return .unknown(.unreadableNode("the node has no 'code'"))
        }
        let subCode = fields.nonEmptyString("sub_code")
        let subMsg = fields.nonEmptyString("sub_msg")

        if code == "10000" && !scanned.isErrorNode {
            return .success(GatewaySuccess(
                method: method, fields: fields, signedContent: match.signedContent,
                keyIndex: match.keyIndex, alipayCertSN: scanned.alipayCertSN))
        }
        if meansBusy(code: code, subCode: subCode) {
            return .unknown(.busy(code: code, subCode: subCode, subMsg: subMsg))
        }
        let kind: GatewayRefusal.Kind
        switch code {
        case "40004" where subCode == "ACQ.TRADE_NOT_EXIST": kind = .noSuchTrade
        case "40004": kind = .businessRefusal
        case "40005": kind = .rateLimited
        case _ where configurationCodes.contains(code): kind = .configurationError
        default: return .unknown(.unrecognizedCode(code: code, subCode: subCode, subMsg: subMsg))
        }
        return .refusal(GatewayRefusal(
            method: method, kind: kind, fields: fields, isErrorNode: scanned.isErrorNode, signedContent: match.signedContent))
    }

    /// What an unverified node says, as text for a person ("code 40002
    /// isv.invalid-app-id (…)"); nil when it says nothing readable.
    static func unverifiedClaim(_ body: [UInt8], _ scanned: ScannedAnswer) -> String? {
        guard let fields = try? ResponseNodeFields(body, node: scanned.node),
              let code = fields.nonEmptyString("code") else { return nil }
        var claim = "code \(code)"
        if let subCode = fields.nonEmptyString("sub_code") { claim += " \(subCode)" }
        if let message = fields.nonEmptyString("sub_msg") ?? fields.nonEmptyString("msg") { claim += " (\(message))" }
        return claim
    }
}
