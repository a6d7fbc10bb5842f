/// The raw facts libcurl gives about one failed transfer, before they are
/// classified into a `GatewayTransportError`. Plain integers, so the
/// classification is a pure function tested without a network.
package struct CurlTransferFailure: Error, Sendable, Equatable {
    /// The `CURLcode` that `curl_easy_perform` returned.
    var curlCode: Int
    /// `CURLINFO_SSL_VERIFYRESULT`: OpenSSL's `X509_V_ERR_*`, 0 when the chain verified.
    var verifyResult: Int
    /// `CURLINFO_OS_ERRNO`: the errno of the last failed connect, 0 if none.
    var osErrno: Int32
    /// Whether any of the request was sent (`CURLINFO_REQUEST_SIZE` > 0):
    /// false means the call failed while connecting.
    var requestSent: Bool
    /// Whether the transport itself stopped the transfer because the body
    /// crossed `maximumResponseBytes`.
    var responseTooLarge: Bool
    /// libcurl's error buffer, or `curl_easy_strerror` when that is empty.
    var message: String
}

/// `CURLcode` values that the classification names (curl/curl.h).
package enum CurlCode {
    static let couldNotResolveProxy = 5
    static let couldNotResolveHost = 6
    static let couldNotConnect = 7
    static let writeError = 23
    static let operationTimedOut = 28
    static let sslConnectError = 35
    static let gotNothing = 52
    static let sendError = 55
    static let receiveError = 56
    static let sslCertificateProblem = 58
    static let sslCipher = 59
    static let peerFailedVerification = 60
    static let fileSizeExceeded = 63
    static let sslCACertificateBadFile = 77
    static let sslShutdownFailed = 80
    static let sslCRLBadFile = 82
    static let sslIssuerError = 83
    static let proxyHandshake = 97
}

/// OpenSSL's certificate verify results that the classification names (openssl/x509_vfy.h).
package enum X509VerifyResult {
    static let ok = 0
    /// What libcurl (7.88, OpenSSL) leaves as the verify result when its
    /// own host name check fails: `!X509_V_OK`, set before the check.
    static let curlHostCheckPending = 1
    static let unableToGetIssuerCertificate = 2
    static let certificateHasExpired = 10
    static let depthZeroSelfSignedCertificate = 18
    static let selfSignedCertificateInChain = 19
    static let unableToGetLocalIssuerCertificate = 20
    static let unableToVerifyLeafSignature = 21
    static let hostnameMismatch = 62
}
