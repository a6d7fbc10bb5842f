@testable import HTTPClient
import Testing

/// The classification of libcurl's raw facts, without a network: the cases
/// a loopback test cannot reach (DNS) and the exact X509 codes.
@Suite struct HTTPClientErrorTests {
    let configuration = HTTPClientConfiguration(caFile: "gateway-ca.pem")

    func classify(_ code: Int, verify: Int = 0, sent: Bool = false, tooLarge: Bool = false) -> HTTPClientError {
        HTTPClientError(
            CurlTransferFailure(
                curlCode: code, verifyResult: verify, osErrno: 0, requestSent: sent,
                responseTooLarge: tooLarge, message: "libcurl says so"
            ),
            host: "openapi.alipay.com", configuration: configuration
        )
    }

    @Test func tellsTheCertificateProblemsApartByTheirX509Code() {
        #expect(classify(CurlCode.peerFailedVerification, verify: 10).kind == .expiredCertificate)
        #expect(classify(CurlCode.peerFailedVerification, verify: 62).kind == .hostNameMismatch)
        #expect(classify(CurlCode.peerFailedVerification, verify: 0).kind == .hostNameMismatch)
        #expect(classify(CurlCode.peerFailedVerification, verify: 1).kind == .hostNameMismatch)
        #expect(classify(CurlCode.peerFailedVerification, verify: 1).verifyResult == nil)
        #expect(classify(CurlCode.peerFailedVerification, verify: 62).verifyResult == 62)
        for code in [2, 18, 19, 20, 21] {
            #expect(classify(CurlCode.peerFailedVerification, verify: code).kind == .untrustedCertificate)
        }
        #expect(classify(CurlCode.peerFailedVerification, verify: 26).kind == .tlsFailure)
        #expect(classify(CurlCode.peerFailedVerification, verify: 20).verifyResult == 20)
        #expect(classify(CurlCode.sslConnectError).kind == .tlsFailure)
    }

    @Test func aTimeoutBeforeAnyByteWasSentIsAConnectTimeout() {
        #expect(classify(CurlCode.operationTimedOut, sent: false).kind == .connectTimeout)
        #expect(classify(CurlCode.operationTimedOut, sent: true).kind == .totalTimeout)
    }

    @Test func namesConnectionResolutionAndSizeFailures() {
        #expect(classify(CurlCode.couldNotConnect).kind == .connectionFailed)
        #expect(classify(CurlCode.couldNotResolveHost).kind == .nameResolution)
        #expect(classify(CurlCode.couldNotResolveProxy).kind == .nameResolution)
        #expect(classify(CurlCode.fileSizeExceeded).kind == .responseTooLarge)
        #expect(classify(CurlCode.writeError, tooLarge: true).kind == .responseTooLarge)
        #expect(classify(CurlCode.writeError, tooLarge: false).kind == .other)
        #expect(classify(CurlCode.receiveError).kind == .other)
    }

    @Test(arguments: [5, 6, 7, 23, 28, 35, 52, 56, 60, 63, 77, 99])
    func everyFailureNamesTheHostWhatFailedAndWhatToDo(_ code: Int) {
        let error = classify(code, verify: code == 60 ? 20 : 0, sent: true, tooLarge: true)
        #expect(error.description.contains("openapi.alipay.com"))
        #expect(error.description.contains("libcurl says so"))
        #expect(!error.remedy.isEmpty)
    }

    @Test func anUntrustedCertificateNamesTheCAFileToCheck() {
        let error = classify(CurlCode.peerFailedVerification, verify: 20)
        #expect(error.description.contains("caFile 'gateway-ca.pem'"))
        #expect(error.description.contains("Never turn verification off"))
    }
}
