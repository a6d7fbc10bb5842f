import SystemSupport

extension HTTPClientError {
    /// Classifies what libcurl reported for one request to `host`, with what
    /// to do in each case. The settings are named so the person can change them.
    init(_ failure: CurlTransferFailure, host: String, configuration: HTTPClientConfiguration) {
        let kind: Kind
        var verifyResult: Int?
        let remedy: String
        switch failure.curlCode {
        case _ where failure.curlCode == CurlCode.proxyHandshake || failure.message.contains("CONNECT tunnel failed"):
            // libcurl 7.88 reports a refused CONNECT as a receive error.
            kind = .connectionFailed
            remedy = "The proxy in https_proxy would not open a tunnel to \(host): fix the proxy, or leave \(host) "
                + "out of it with no_proxy."
        case CurlCode.operationTimedOut where !failure.requestSent:
            kind = .connectTimeout
            remedy = "No connection to \(host) within connectTimeout (\(Self.seconds(configuration.connectTimeout))): "
                + "check the network path, a firewall, and https_proxy/no_proxy."
        case CurlCode.operationTimedOut:
            kind = .totalTimeout
            remedy = "\(host) did not answer within totalTimeout (\(Self.seconds(configuration.totalTimeout))); "
                + "the server may have received and acted on the request."
        case CurlCode.couldNotConnect:
            kind = .connectionFailed
            remedy = "Cannot connect to \(host)\(Self.errnoText(failure.osErrno)): check the URL's host and port, "
                + "a firewall, and https_proxy/no_proxy."
        case CurlCode.couldNotResolveHost, CurlCode.couldNotResolveProxy:
            kind = .nameResolution
            let what = failure.curlCode == CurlCode.couldNotResolveProxy ? "the proxy named in https_proxy" : host
            remedy = "Cannot resolve \(what): check the spelling in the URL (or https_proxy) and this "
                + "machine's DNS (resolv.conf)."
        case CurlCode.peerFailedVerification:
            verifyResult = failure.verifyResult
            switch failure.verifyResult {
            case X509VerifyResult.certificateHasExpired:
                kind = .expiredCertificate
                remedy = "\(host)'s certificate has expired, or this machine's clock is wrong: check the clock "
                    + "(timedatectl) first. Never turn verification off."
            case X509VerifyResult.hostnameMismatch, X509VerifyResult.ok, X509VerifyResult.curlHostCheckPending:
                // libcurl checks the name itself after OpenSSL accepted the
                // chain, and a mismatch it finds leaves its placeholder
                // (1, "not yet verified") as the verify result: no X509 code.
                if failure.verifyResult != X509VerifyResult.hostnameMismatch { verifyResult = nil }
                kind = .hostNameMismatch
                remedy = "\(host)'s certificate is for another name: use the server's own host name in the "
                    + "URL (not an IP address or an alias); if it is right, something is intercepting TLS."
            case X509VerifyResult.unableToGetIssuerCertificate, X509VerifyResult.depthZeroSelfSignedCertificate,
                X509VerifyResult.selfSignedCertificateInChain, X509VerifyResult.unableToGetLocalIssuerCertificate,
                X509VerifyResult.unableToVerifyLeafSignature:
                kind = .untrustedCertificate
                let trust = configuration.caFile.map { "caFile '\($0)' does not hold the CA that signs it" }
                    ?? "the system's trust store does not hold the CA that signs it (install or update ca-certificates)"
                remedy = "\(host)'s certificate is not signed by a trusted CA: \(trust); if the issuer is not "
                    + "the server's real CA, something is intercepting TLS. Never turn verification off."
            default:
                kind = .tlsFailure
                remedy = "\(host)'s certificate was refused (see the verify result): check caFile and the URL."
            }
        case CurlCode.sslCACertificateBadFile:
            kind = .tlsFailure
            remedy = "The CA file \(configuration.caFile.map { "'\($0)'" } ?? "of the system") could not be used: "
                + "give a readable PEM file of CA certificates in caFile."
        case CurlCode.sslConnectError, CurlCode.sslCertificateProblem, CurlCode.sslCipher,
            CurlCode.sslShutdownFailed, CurlCode.sslCRLBadFile, CurlCode.sslIssuerError:
            kind = .tlsFailure
            remedy = "The TLS handshake with \(host) failed: check that the URL's port speaks TLS and "
                + "that no proxy in between breaks it."
        case CurlCode.writeError where failure.responseTooLarge, CurlCode.fileSizeExceeded:
            kind = .responseTooLarge
            remedy = "\(host)'s answer is larger than maximumResponseBytes (\(configuration.maximumResponseBytes)); "
                + "a far larger answer than expected usually means the URL points somewhere else."
        case CurlCode.gotNothing, CurlCode.sendError, CurlCode.receiveError:
            kind = .other
            remedy = "The connection to \(host) was lost during the request."
        default:
            kind = .other
            remedy = "Try again; if it persists, look at the server and the network path to it."
        }
        self.init(
            kind: kind, host: host, detail: failure.message, curlCode: failure.curlCode,
            verifyResult: verifyResult, remedy: remedy
        )
    }

    private static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.inMilliseconds
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }

    private static func errnoText(_ errno: Int32) -> String {
        errno == 0 ? "" : " (\(SystemError("connect", errno: errno).reason))"
    }
}
