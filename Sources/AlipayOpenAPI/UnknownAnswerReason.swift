/// Why a call's result is unknown, in words a person can act on. Some carry
/// what an unverified body claimed, as text only: it helps to diagnose (an
/// unsigned `isv.invalid-app-id` points at the configuration) but is never
/// a fact to act on.
public enum UnknownAnswerReason: Error, Sendable, CustomStringConvertible {
    /// No answer: timeout, refused connection, TLS failure (the caller's words).
    case transport(String)
    /// The gateway answered with an HTTP status other than 200.
    case httpStatus(Int)
    /// The body is not the JSON object the gateway sends.
    case malformed(MalformedAnswer)
    /// The response node appears twice (or beside `error_response`).
    case nodeRepeated(String)
    /// No `sign`, or an empty one: gateway errors come so, and are not facts.
    case unsigned(claim: String?)
    /// `sign` is not standard base64.
    case signNotBase64(claim: String?)
    /// The signature does not verify under any configured Alipay key.
    case signatureMismatch(keyCount: Int, claim: String?)
    /// A verified node whose members cannot be read (no `code`, a member twice).
    case unreadableNode(String)
    /// A verified answer that says the service is busy or failed (`20000`,
    /// `ACQ.SYSTEM_ERROR`, `isp.unknow-error`, `aop.unknow-error`): whether
    /// the call took effect is unknown; retry.
    case busy(code: String, subCode: String?, subMsg: String?)
    /// A verified answer whose code is not one this daemon knows how to read.
    case unrecognizedCode(code: String, subCode: String?, subMsg: String?)
    /// A verified answer about another order or refund request than the
    /// one asked about (or, for a query, about none): true perhaps, but not
    /// an answer to this request.
    case answersAnotherRequest(field: String, asked: String, answered: String?)

    /// A stable label for logs and metrics.
    public var code: String {
        switch self {
        case .transport: return "transport"
        case .httpStatus: return "http_status"
        case .malformed: return "malformed"
        case .nodeRepeated: return "node_repeated"
        case .unsigned: return "unsigned"
        case .signNotBase64: return "sign_not_base64"
        case .signatureMismatch: return "bad_signature"
        case .unreadableNode: return "unreadable_node"
        case .busy: return "busy"
        case .unrecognizedCode: return "unrecognized_code"
        case .answersAnotherRequest: return "another_request"
        }
    }

    public var description: String {
        func claimed(_ claim: String?) -> String { claim.map { "; it claims \($0), which is not a fact" } ?? "" }
        func codes(_ code: String, _ subCode: String?, _ subMsg: String?) -> String {
            "code \(code)" + (subCode.map { " \($0)" } ?? "") + (subMsg.map { " (\($0))" } ?? "")
        }
        switch self {
        case .transport(let detail):
            return "no answer from the gateway: \(detail)"
        case .httpStatus(let status):
            return "the gateway answered HTTP \(status), not 200"
        case .malformed(let error):
            return "the answer is not readable JSON: \(error)"
        case .nodeRepeated(let name):
            return "the answer holds '\(name)' twice; such an answer is refused, whatever it is signed with"
        case .unsigned(let claim):
            return "the answer is not signed\(claimed(claim))"
        case .signNotBase64(let claim):
            return "the answer's sign is not base64\(claimed(claim))"
        case .signatureMismatch(let keyCount, let claim):
            return (keyCount == 1
                ? "the answer's signature does not verify under the configured Alipay public key"
                : "the answer's signature does not verify under any of the \(keyCount) configured Alipay public keys")
                + claimed(claim) + " (check the configured Alipay public key or certificate)"
        case .unreadableNode(let detail):
            return "the signed answer cannot be read: \(detail)"
        case .busy(let code, let subCode, let subMsg):
            return "Alipay was busy or failed (\(codes(code, subCode, subMsg))): the result is unknown; retry"
        case .unrecognizedCode(let code, let subCode, let subMsg):
            return "the signed answer has \(codes(code, subCode, subMsg)), which this daemon does not know how to read; a person must look"
        case .answersAnotherRequest(let field, let asked, let answered?):
            return "the signed answer names \(field) \(answered), but the request asked about \(asked): it decides nothing about \(asked), which is asked again"
        case .answersAnotherRequest(let field, let asked, nil):
            return "the signed answer names no \(field), but the request asked about \(asked): it decides nothing about \(asked), which is asked again"
        }
    }
}
