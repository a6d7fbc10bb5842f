/// The code that faces untrusted bytes, one fuzz target each: what the
/// network sends (HTTP framing, the form body, its signature, the gateway's
/// answers) and what an operator writes (the config file).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Requests fed in one piece and in random pieces must parse the same.
    case httpParser = "http-parser"
    /// Decoded forms survive re-encoding in their own charset unchanged.
    case form
    /// Only bytes Alipay signed verify, and every field acted on is signed.
    case signature
    /// Any config file gives settings or an error that names its line.
    case config
    /// Only gateway answers Alipay signed are facts, however they are laid out.
    case gatewayAnswer = "gateway-answer"

    public var summary: String {
        switch self {
        case .httpParser: return "HTTP/1.1 request parser, whole versus random chunking"
        case .form: return "form decoder and charsets, decode/encode round trip"
        case .signature: return "canonical string and RSA2 verifier, accepts only what was signed"
        case .config: return "config file parser and settings, errors name a line"
        case .gatewayAnswer: return "gateway answer scanner and verifier, facts only from signed nodes, any layout"
        }
    }

    public func makeProperty() throws -> any FuzzProperty {
        switch self {
        case .httpParser: return HTTPParserProperty()
        case .form: return FormRoundTripProperty()
        case .signature: return try SignatureProperty()
        case .config: return ConfigProperty()
        case .gatewayAnswer: return try GatewayAnswerProperty()
        }
    }
}
