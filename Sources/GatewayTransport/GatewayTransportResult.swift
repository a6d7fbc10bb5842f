/// The outcome of one call: an answer came back, or the result is unknown.
///
/// There is no third case on purpose. A transport failure never tells
/// whether Alipay received the request or acted on it (a timeout may come
/// after a refund was executed), so it decides nothing: the caller retries
/// the same request with the same parameters, then hands it to a person.
public enum GatewayTransportResult: Sendable {
    /// The gateway answered with this status and body.
    case answered(GatewayResponse)
    /// The call failed on the way; whether Alipay acted on it is unknown.
    case unknown(GatewayTransportError)

    /// The answer, or the transport error thrown.
    public func get() throws(GatewayTransportError) -> GatewayResponse {
        switch self {
        case .answered(let response): return response
        case .unknown(let error): throw error
        }
    }
}
