import Dispatch
import Foundation
import HTTPClient
import HTTPServer
import Testing
import TestSupport

/// The client against real servers on loopback: concurrent requests on
/// handles of their own, connections kept and reused, every address of a
/// name tried, and the scheme policies.
@Suite struct HTTPClientTests {
    func client(_ configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws -> HTTPClient {
        try HTTPClient(configuration: configuration)
    }

    func post(_ client: HTTPClient, _ url: String, _ body: String = "n=1",
              headers: [(name: String, value: String)] = []) throws -> Result<HTTPClientResponse, HTTPClientError> {
        client.perform(HTTPClientRequest(method: .post, url: try client.url(url), headers: headers, body: Array(body.utf8)))
    }

    @Test func concurrentRequestsRunAtOnceEachOnAConnectionOfItsOwn() throws {
        // Every answer takes 500 ms: eight serialized requests would take 4 s.
        let server = try LoopbackGateway(threads: 2) { request, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { responder.respond(HTTPResponse(status: 200, body: request.body)) }
        }
        let client = try client()
        let started = Date()
        let bodies = try onThreads(8) { index in try self.post(client, server.url, "n=\(index)").get().body }
        let elapsed = Date().timeIntervalSince(started)
        #expect(Set(bodies) == Set((0..<8).map { Array("n=\($0)".utf8) }))
        #expect(elapsed < 2, "8 requests of 500 ms took \(elapsed) s: they waited for each other")
        #expect(server.connectionsAccepted == 8)
        #expect(client.keptHandles == 8)

        // The next requests reuse those connections.
        for _ in 0..<4 { #expect(try post(client, server.url).get().status == 200) }
        #expect(server.connectionsAccepted == 8)
    }

    @Test func aRequestBeyondTheKeptConnectionsGetsAHandleThatIsClosedAfterwards() throws {
        let server = try LoopbackGateway(threads: 1) { request, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { responder.respond(.text(200, "ok")) }
        }
        let client = try client(HTTPClientConfiguration(keptConnections: 2))
        _ = try onThreads(4) { _ in try self.post(client, server.url).get() }
        #expect(server.connectionsAccepted == 4)
        #expect(client.keptHandles == 2)
    }

    @Test func sendsTheHeadersGivenAndNeverExpectContinue() throws {
        let server = try LoopbackGateway { .text(200, "\($0.body.count)") }
        let client = try client()
        let body = String(repeating: "x", count: 4096)
        let response = try post(client, server.url, body, headers: [("Content-Type", "application/json"), ("Idempotency-Key", "O1/ship")]).get()
        #expect(response.body == Array("4096".utf8))
        let received = try #require(server.requests.first)
        #expect(received.contentType == "application/json")
        #expect(received.headers.contains { $0.0.lowercased() == "idempotency-key" && $0.1 == "O1/ship" })
        #expect(!received.headers.contains { $0.0.lowercased() == "expect" })
        #expect(received.headers.contains { $0.0.lowercased() == "user-agent" && $0.1 == "alipay-notifyd" })
    }

    @Test func aGetSendsNoBody() throws {
        let server = try LoopbackGateway { HTTPResponse(status: 200, body: Array("\($0.method) \($0.body.count)".utf8)) }
        let client = try client()
        // A POST first: the handle must not carry its method or body over.
        _ = try post(client, server.url, "a=1").get()
        let response = try client.perform(HTTPClientRequest(method: .get, url: try client.url(server.url))).get()
        #expect(response.body == Array("GET 0".utf8))
    }

    @Test func localhostReachesAServerListeningOnIPv4LoopbackOnly() throws {
        // Where localhost resolves to ::1 first (as on many systems), a
        // client that tries only the first address never reaches it.
        let server = try LoopbackGateway { _ in .text(200, "here") }
        let client = try client()
        let response = try post(client, "http://localhost:\(server.port)/events").get()
        #expect(response.body == Array("here".utf8))
    }

    @Test func thePoliciesDecideWhichURLsMayBeRequested() throws {
        let loopbackOnly = try client(HTTPClientConfiguration(schemes: .httpsOrLoopbackHTTP))
        #expect(throws: HTTPClientConfigurationError.self) { try loopbackOnly.url("http://10.0.0.1/events") }
        #expect(try loopbackOnly.url("http://127.0.0.1:9/events").scheme == .http)
        let any = try client(HTTPClientConfiguration(schemes: .httpOrHTTPS))
        #expect(try any.url("http://10.0.0.1/events").scheme == .http)
        #expect(try any.url("https://fulfil.internal/events").scheme == .https)
        #expect {
            try any.url("ftp://fulfil.internal/events", setting: "sink-url")
        } throws: { error in
            let error = error as? HTTPClientConfigurationError
            return error?.setting == "sink-url" && error?.problem.contains("http or https") == true
        }
    }

    @Test func aStatusOtherThan200IsAnAnswer() throws {
        let server = try LoopbackGateway { _ in .text(503, "busy") }
        let response = try post(try client(), server.url).get()
        #expect(response.status == 503)
        #expect(response.body == Array("busy".utf8))
    }
}
