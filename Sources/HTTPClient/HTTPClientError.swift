/// Why a request got no answer: the connection, TLS, a timeout or a size
/// limit, classified from what libcurl reported.
///
/// `kind` tells the failures apart for logs, metrics and a person; it is a
/// struct with an opaque code so that new kinds do not break callers that
/// switch on the known ones. `description` names the host, what failed and
/// what to do. Whether the server acted on the request is never known from
/// a failure: a timeout may come after the server did its work.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// What failed, at the level a person acts on.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        enum Code: String, Sendable {
            case connectTimeout = "connect timeout"
            case totalTimeout = "timeout"
            case connectionFailed = "connection failed"
            case nameResolution = "name resolution"
            case untrustedCertificate = "untrusted certificate"
            case hostNameMismatch = "host name mismatch"
            case expiredCertificate = "expired certificate"
            case tlsFailure = "TLS failure"
            case responseTooLarge = "response too large"
            case other = "transport failure"
        }

        let code: Code

        /// No connection within `connectTimeout` (TCP and TLS handshakes).
        public static let connectTimeout = Kind(code: .connectTimeout)
        /// No complete answer within `totalTimeout` of the request's start.
        public static let totalTimeout = Kind(code: .totalTimeout)
        /// The connection was refused, reset or the host unreachable (on
        /// every address the name has).
        public static let connectionFailed = Kind(code: .connectionFailed)
        /// The host name (or the proxy's) did not resolve.
        public static let nameResolution = Kind(code: .nameResolution)
        /// The certificate chain does not lead to a trusted CA (X509 errors
        /// 2, 18, 19, 20, 21): unknown issuer, self-signed.
        public static let untrustedCertificate = Kind(code: .untrustedCertificate)
        /// The certificate is valid but for another host name.
        public static let hostNameMismatch = Kind(code: .hostNameMismatch)
        /// The certificate has expired (X509 error 10), or this machine's clock is wrong.
        public static let expiredCertificate = Kind(code: .expiredCertificate)
        /// Any other TLS failure: handshake, protocol, a certificate refused
        /// for another reason, an unreadable CA file.
        public static let tlsFailure = Kind(code: .tlsFailure)
        /// The answer was larger than `maximumResponseBytes`.
        public static let responseTooLarge = Kind(code: .responseTooLarge)
        /// Anything else libcurl reports (a reset mid-answer, a malformed answer, …).
        public static let other = Kind(code: .other)

        /// True for the kinds whose cause is the server's certificate.
        public var isCertificateProblem: Bool {
            self == .untrustedCertificate || self == .hostNameMismatch || self == .expiredCertificate
        }

        public var description: String { code.rawValue }
    }

    /// What failed.
    public let kind: Kind
    /// The URL's host, as the request used it.
    public let host: String
    /// libcurl's own words (its error buffer, or `curl_easy_strerror`), for
    /// the log; the OpenSSL reason is in it for TLS failures.
    public let detail: String
    /// libcurl's `CURLcode` (0 when the failure was found by the client itself).
    public let curlCode: Int
    /// OpenSSL's certificate verify result (`X509_V_ERR_*`) when the
    /// certificate was refused, otherwise `nil`.
    public let verifyResult: Int?
    /// What to do about it, in the words of the person who must.
    public let remedy: String

    package init(kind: Kind, host: String, detail: String, curlCode: Int, verifyResult: Int? = nil, remedy: String) {
        self.kind = kind
        self.host = host
        self.detail = detail
        self.curlCode = curlCode
        self.verifyResult = verifyResult
        self.remedy = remedy
    }

    /// What failed and why, without the remedy (for a short log field).
    public var summary: String {
        var text = "\(host): \(kind) (\(detail)"
        if let verifyResult { text += ", X509 verify result \(verifyResult)" }
        return text + ")"
    }

    public var description: String { "\(summary). \(remedy)" }
}
