import ActiveSide
import AlipayOpenAPI

/// The one harmless call `check-config` makes when the daemon may call
/// Alipay: a query for an order that cannot exist. A *verified*
/// `ACQ.TRADE_NOT_EXIST` proves the whole chain (the gateway reached over
/// verified TLS, the app key accepted, Alipay's key verifying the answer);
/// anything else is said as the most common integration failures are: the
/// app key, Alipay's key, the certificates, the clock, the network.
public enum GatewayCheck {
    /// The verdict on one answer: nil when the chain works, else what is wrong and what to do.
    public static func problem(with answer: GatewayAnswer) -> String? {
        switch answer.outcome {
        case .success:
            return nil
        case .refusal(let refusal) where refusal.kind == .noSuchTrade:
            return nil
        case .refusal(let refusal):
            return explain(subCode: refusal.subCode, code: refusal.code, text: "\(refusal)")
        case .unknown(let reason):
            switch reason {
            case .unsigned(let claim), .signNotBase64(let claim):
                return explain(subCode: subCode(in: claim), code: nil, text: "\(reason)")
                    ?? "the gateway's answer is not signed: \(reason)"
            case .signatureMismatch:
                return "Alipay's answer does not verify with alipay-public-key: configure Alipay's public key "
                    + "(the console's 'Alipay public key', not your app's), or in certificate mode alipayCertPublicKey_RSA2.crt (\(reason))"
            case .transport(let detail):
                return "the gateway could not be reached: \(detail)"
            case .httpStatus(let status):
                return "the gateway answered HTTP \(status): is alipay-gateway the gateway's URL (…/gateway.do)?"
            default:
                return "the gateway's answer decides nothing: \(reason)"
            }
        }
    }

    /// A sub_code an unverified gateway error claims (`isv.invalid-app-id`), to point at the likely cause.
    static func subCode(in claim: String?) -> String? {
        guard let claim, let match = claim.firstMatch(of: /(isv|aop|isp)\.[A-Za-z0-9.\-_]+/) else { return nil }
        return String(match.0)
    }

    static func explain(subCode: String?, code: String?, text: String) -> String? {
        guard let subCode else { return code == nil ? nil : "Alipay refused the query: \(text)" }
        switch subCode {
        case let name where name.contains("signature"):
            return "Alipay does not accept your app's signature (\(subCode)): app-private-key is not the key whose public half "
                + "is uploaded for app-id in the Alipay console (\(text))"
        case let name where name.contains("app-id"):
            return "Alipay does not know app-id (\(subCode)): check app-id, and that alipay-gateway is the right environment (\(text))"
        case let name where name.contains("timestamp"):
            return "Alipay refused the request's time (\(subCode)): this machine's clock is off; sync it (NTP) (\(text))"
        case let name where name.contains("cert"):
            return "Alipay refused the certificates (\(subCode)): check app-cert and alipay-root-cert, or use public-key mode (\(text))"
        case let name where name.contains("permission") || name.contains("auth"):
            return "the app may not call alipay.trade.query (\(subCode)): enable the product for the app in the console (\(text))"
        default:
            return "Alipay refused the query (\(subCode)): \(text)"
        }
    }
}
