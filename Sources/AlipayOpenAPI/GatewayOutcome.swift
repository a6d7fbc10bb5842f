/// What one gateway call established, and nothing more. Only a signed node
/// that verified can be a success or a refusal (their values are made in
/// this module, after verification); everything else is unknown, and an
/// unknown result must never ship, close or mark refunded anything.
public enum GatewayOutcome: Sendable, CustomStringConvertible {
    /// A verified answer with `code` 10000.
    case success(GatewaySuccess)
    /// A verified answer that declined the call, and what kind of decline.
    case refusal(GatewayRefusal)
    /// Nothing is known about what the call did; retry or hand to a person.
    case unknown(UnknownAnswerReason)

    /// A stable label for logs and metrics: `success`, `refusal.<kind>`,
    /// `unknown.<reason>`.
    public var code: String {
        switch self {
        case .success: return "success"
        case .refusal(let refusal): return "refusal.\(refusal.kind.rawValue)"
        case .unknown(let reason): return "unknown.\(reason.code)"
        }
    }

    public var description: String {
        switch self {
        case .success(let success): return "success: \(success.fields)"
        case .refusal(let refusal): return "refusal: \(refusal)"
        case .unknown(let reason): return "unknown result: \(reason)"
        }
    }
}
