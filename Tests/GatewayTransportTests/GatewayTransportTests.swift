import Foundation
import GatewayTransport
import HTTPServer
import Testing
import TestSupport

/// The transport against real servers on loopback, over plain HTTP (the
/// local-sandbox case); TLS is in `GatewayTransportTLSTests`.
@Suite struct GatewayTransportTests {
    let form = Array("app_id=2021000000000000&method=alipay.trade.query&biz_content=%7B%22out_trade_no%22%3A%22A1%22%7D&sign=abc%2B%3D".utf8)

    @Test func postsTheFormWithItsContentTypeAndReturnsTheStatusAndBody() throws {
        let gateway = try LoopbackGateway { request in
            HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array("echo:".utf8) + request.body)
        }
        let transport = try GatewayTransport(configuration: .init(gatewayURL: gateway.url))
        let response = try transport.post(form: form).get()
        #expect(response.status == 200)
        #expect(response.body == Array("echo:".utf8) + form)
        let received = try #require(gateway.requests.first)
        #expect(received.method == "POST")
        #expect(received.target == "/gateway.do")
        #expect(received.contentType == "application/x-www-form-urlencoded;charset=utf-8")
        #expect(received.body == form)
    }

    @Test func postsAnEmptyFormAsAnEmptyBody() throws {
        let gateway = try LoopbackGateway { HTTPResponse(status: 200, body: Array("\($0.body.count)".utf8)) }
        let transport = try GatewayTransport(configuration: .init(gatewayURL: gateway.url))
        #expect(try transport.post(form: []).get().body == Array("0".utf8))
    }

    @Test func anyStatusIsAnAnswerAndARedirectIsNotFollowed() throws {
        let gateway = try LoopbackGateway { request in
            request.path == "/gateway.do"
                ? HTTPResponse(status: 302, headers: [("Location", "/elsewhere")], body: Array("moved".utf8))
                : .text(200, "followed")
        }
        let transport = try GatewayTransport(configuration: .init(gatewayURL: gateway.url))
        let response = try transport.post(form: form).get()
        #expect(response.status == 302)
        #expect(response.body == Array("moved".utf8))
        #expect(gateway.requests.map(\.target) == ["/gateway.do"])
    }

    @Test func reusesOneConnectionAcrossCalls() throws {
        let gateway = try LoopbackGateway { _ in .text(200, "ok") }
        let transport = try GatewayTransport(configuration: .init(gatewayURL: gateway.url))
        for _ in 0..<5 {
            #expect(try transport.post(form: form).get().status == 200)
        }
        #expect(gateway.requests.count == 5)
        #expect(gateway.connectionsAccepted == 1)
    }

    @Test func concurrentCallsRunAtOnceUpToTheKeptConnections() throws {
        // Each answer takes 500 ms: four calls one after the other would take 2 s.
        let gateway = try LoopbackGateway(threads: 2) { request, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { responder.respond(HTTPResponse(status: 200, body: request.body)) }
        }
        let transport = try GatewayTransport(configuration: .init(gatewayURL: gateway.url, keptConnections: 4))
        let started = Date()
        let bodies = try onThreads(4) { index in try transport.post(form: Array("n=\(index)".utf8)).get().body }
        let elapsed = Date().timeIntervalSince(started)
        #expect(bodies == (0..<4).map { Array("n=\($0)".utf8) })
        #expect(elapsed < 1.4, "four calls of 500 ms took \(elapsed) s: they waited for each other")
        #expect(gateway.connectionsAccepted == 4)
        #expect(transport.keptConnections == 4)
    }

    @Test func aServerThatNeverAnswersHitsTheTotalTimeout() throws {
        let silent = try SilentListener()
        let transport = try GatewayTransport(configuration: .init(
            gatewayURL: "http://127.0.0.1:\(silent.port)/gateway.do", totalTimeout: .milliseconds(300)
        ))
        let started = Date()
        let error = try #require(unknown(transport.post(form: form)))
        #expect(error.kind == .totalTimeout)
        #expect(error.host == "127.0.0.1")
        #expect(error.isUnknownResult)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(error.description.contains("totalTimeout (300 ms)"))
    }

    @Test func aTLSHandshakeThatNeverCompletesHitsTheConnectTimeout() throws {
        let silent = try SilentListener()
        let transport = try GatewayTransport(configuration: .init(
            gatewayURL: "https://localhost:\(silent.port)/gateway.do", connectTimeout: .milliseconds(300)
        ))
        let started = Date()
        let error = try #require(unknown(transport.post(form: form)))
        #expect(error.kind == .connectTimeout)
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(error.description.contains("connectTimeout (300 ms)"))
    }

    @Test func aRefusedPortIsAConnectionFailure() throws {
        let port = try SilentListener.refusedPort()
        let transport = try GatewayTransport(configuration: .init(gatewayURL: "http://127.0.0.1:\(port)/gateway.do"))
        let error = try #require(unknown(transport.post(form: form)))
        #expect(error.kind == .connectionFailed)
        #expect(error.description.contains("Connection refused"))
    }

    @Test func anAnswerLargerThanTheLimitIsRefused() throws {
        let gateway = try LoopbackGateway { _ in HTTPResponse(status: 200, body: Array(repeating: UInt8(ascii: "x"), count: 4096)) }
        let transport = try GatewayTransport(configuration: .init(gatewayURL: gateway.url, maximumResponseBytes: 4095))
        let error = try #require(unknown(transport.post(form: form)))
        #expect(error.kind == .responseTooLarge)
        #expect(error.description.contains("maximumResponseBytes (4095)"))
        let atTheLimit = try GatewayTransport(configuration: .init(gatewayURL: gateway.url, maximumResponseBytes: 4096))
        #expect(try atTheLimit.post(form: form).get().body.count == 4096)
    }

    @Test func aChunkedAnswerIsCutOffAtTheLimit() throws {
        let server = try ChunkedAnswerServer(chunks: 8, chunkBytes: 1000)
        let transport = try GatewayTransport(configuration: .init(
            gatewayURL: "http://127.0.0.1:\(server.port)/gateway.do", maximumResponseBytes: 4095
        ))
        let error = try #require(unknown(transport.post(form: form)))
        #expect(error.kind == .responseTooLarge)
    }

    @Test func aServerThatDoesNotSpeakTLSIsATLSFailure() throws {
        let gateway = try LoopbackGateway { _ in .text(200, "plain") }
        let transport = try GatewayTransport(configuration: .init(gatewayURL: "https://127.0.0.1:\(gateway.port)/gateway.do"))
        let error = try #require(unknown(transport.post(form: form)))
        #expect(error.kind == .tlsFailure)
        #expect(error.description.contains("speaks TLS"))
    }

    @Test func plainHTTPToANonLoopbackHostIsRefusedAtConstruction() {
        #expect {
            try GatewayTransport(configuration: .init(gatewayURL: "http://openapi.alipay.com/gateway.do"))
        } throws: { error in
            (error as? GatewayConfigurationError)?.setting == "gatewayURL"
        }
    }

    @Test func anUnreadableCAFileIsRefusedAtConstruction() {
        #expect {
            try GatewayTransport(configuration: .init(caFile: "no-such-dir/gateway-ca.pem"))
        } throws: { error in
            let description = String(describing: error)
            return description.contains("caFile 'no-such-dir/gateway-ca.pem'") && description.contains("No such file")
        }
    }

    @Test func aTimeoutShorterThanAMillisecondIsRefusedAtConstruction() {
        #expect(throws: GatewayConfigurationError.self) {
            try GatewayTransport(configuration: .init(connectTimeout: .zero))
        }
        #expect(throws: GatewayConfigurationError.self) {
            try GatewayTransport(configuration: .init(totalTimeout: .microseconds(10)))
        }
    }
}

/// The transport error of an unknown result, or nil for an answer.
func unknown(_ result: GatewayTransportResult) -> GatewayTransportError? {
    if case .unknown(let error) = result { return error }
    return nil
}
