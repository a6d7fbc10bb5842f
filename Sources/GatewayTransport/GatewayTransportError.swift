import HTTPClient

/// Why a call to the gateway got no answer. Every instance is an *unknown*
/// result: the request may or may not have reached Alipay and been acted on,
/// so the caller decides nothing from it (see `GatewayTransportResult`).
///
/// The HTTP client's classification (`HTTPClientError`) with the gateway's
/// rule added to what to do: retry the very same request, then a person.
public struct GatewayTransportError: Error, Sendable, CustomStringConvertible {
    public typealias Kind = HTTPClientError.Kind

    /// What the HTTP client found.
    public let failure: HTTPClientError

    public init(_ failure: HTTPClientError) {
        self.failure = failure
    }

    /// What failed.
    public var kind: Kind { failure.kind }
    /// The gateway URL's host, as the call used it.
    public var host: String { failure.host }
    /// libcurl's own words, for the log.
    public var detail: String { failure.detail }
    /// libcurl's `CURLcode`.
    public var curlCode: Int { failure.curlCode }
    /// OpenSSL's certificate verify result when the certificate was refused.
    public var verifyResult: Int? { failure.verifyResult }

    /// Always true: no transport failure tells whether Alipay acted on the
    /// request. Spelled out so a caller's code says what it relies on.
    public var isUnknownResult: Bool { true }

    static let unknownAdvice = "Retry the same request with the same parameters (a refund keeps its out_request_no); "
        + "if it stays unknown, a person must look."

    public var description: String {
        "gateway \(failure.summary); the call's result is unknown. \(failure.remedy) \(Self.unknownAdvice)"
    }
}
