@testable import GatewayTransport
@testable import HTTPClient
import Testing

/// The gateway's reading of a transport failure: whatever the HTTP client
/// found, the call's result is unknown, and the advice is the gateway's rule.
@Suite struct GatewayTransportErrorTests {
    @Test(arguments: [5, 6, 7, 23, 28, 35, 52, 56, 60, 63, 77, 99])
    func everyFailureIsAnUnknownResultThatNamesTheHostAndWhatToDo(_ code: Int) {
        let failure = HTTPClientError(
            CurlTransferFailure(curlCode: code, verifyResult: code == 60 ? 20 : 0, osErrno: 0, requestSent: true,
                                responseTooLarge: true, message: "libcurl says so"),
            host: "openapi.alipay.com", configuration: HTTPClientConfiguration(caFile: "gateway-ca.pem"))
        let error = GatewayTransportError(failure)
        #expect(error.isUnknownResult)
        #expect(error.kind == failure.kind)
        let description = error.description
        #expect(description.contains("openapi.alipay.com"))
        #expect(description.contains("unknown"))
        #expect(description.contains("libcurl says so"))
        #expect(description.contains("Retry the same request"))
        #expect(description.contains(failure.remedy))
    }
}
