@testable import GatewayTransport
import Testing

@Suite struct GatewayURLTests {
    @Test(arguments: [
        "https://openapi.alipay.com/gateway.do",
        "https://openapi-sandbox.dl.alipaydev.com/gateway.do",
        "https://10.0.0.7:8443/gateway.do",
    ])
    func acceptsHTTPSToAnyHost(_ text: String) throws {
        let url = try GatewayURL(text)
        #expect(url.scheme == .https)
    }

    @Test(arguments: [
        "http://127.0.0.1:8080/gateway.do", "http://127.1.2.3/gateway.do", "http://[::1]:9000/gateway.do",
        "http://localhost:8080/gateway.do", "http://LOCALHOST/gateway.do",
    ])
    func acceptsPlainHTTPOnlyToALoopbackHost(_ text: String) throws {
        let url = try GatewayURL(text)
        #expect(url.scheme == .http)
        #expect(url.isLoopback)
    }

    @Test(arguments: [
        "http://openapi.alipay.com/gateway.do", "http://10.0.0.1/gateway.do", "http://128.0.0.1/gateway.do",
        "http://[::2]/gateway.do", "http://localhost.example.com/gateway.do", "http://127.0.0.1.example.com/",
        "http://[::ffff:10.0.0.1]/", "http://0.0.0.0:8080/",
    ])
    func refusesPlainHTTPToANonLoopbackHostSayingWhyAndWhatToDo(_ text: String) {
        #expect {
            try GatewayURL(text)
        } throws: { error in
            let description = String(describing: error)
            return description.contains("gatewayURL") && description.contains("loopback")
                && description.contains("clear text") && description.contains("use https://")
        }
    }

    @Test func hostIsTheOneLibcurlConnectsToNotTheUserInfo() {
        // A second URL parser could read 127.0.0.1 as the host here.
        #expect(throws: GatewayConfigurationError.self) { try GatewayURL("http://127.0.0.1@example.com/gateway.do") }
        #expect(throws: GatewayConfigurationError.self) { try GatewayURL("http://example.com#@127.0.0.1/") }
    }

    @Test(arguments: ["ftp://openapi.alipay.com/gateway.do", "file:///etc/passwd", "openapi.alipay.com/gateway.do", "", "https://"])
    func refusesWhatIsNotAnHTTPSURL(_ text: String) {
        #expect(throws: GatewayConfigurationError.self) { try GatewayURL(text) }
    }

    @Test func refusesCredentialsInTheURL() {
        #expect(throws: GatewayConfigurationError.self) { try GatewayURL("https://user:secret@openapi.alipay.com/gateway.do") }
    }

    @Test func loopbackRecognitionIsExact() {
        #expect(GatewayURL.isLoopback(host: "127.255.255.254"))
        #expect(GatewayURL.isLoopback(host: "[::1]"))
        #expect(!GatewayURL.isLoopback(host: "126.0.0.1"))
        #expect(!GatewayURL.isLoopback(host: "[::]"))
        #expect(!GatewayURL.isLoopback(host: "localhost.localdomain"))
    }
}
