import Foundation
@testable import HTTPServer
import Testing
import TestSupport

@Suite struct HTTPServerTests {
    @Test func servesKeepAliveRequestsOnOneConnection() throws {
        let server = try TestServer()
        let client = try TCPClient(port: server.port)
        for _ in 0..<3 {
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponses(1)[0]
            #expect(response.status == 200)
            #expect(response.body == "hello")
            #expect(response.headers["connection"] == nil)
        }
    }

    @Test func answersPipelinedRequestsInRequestOrderWhateverOrderTheyFinishIn() throws {
        let server = try TestServer()
        let client = try TCPClient(port: server.port)
        try client.send("GET /slow?ms=300 HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
            + "GET /slow?ms=50 HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nping")
        let responses = try client.readResponses(4)
        #expect(responses.map(\.body) == ["slow 300", "hello", "slow 50", "ping"])
    }

    @Test func keepsOrderAcrossMorePipelinedRequestsThanItWillHoldAtOnce() throws {
        let server = try TestServer { $0.maximumPipelinedRequests = 4 }
        let client = try TCPClient(port: server.port)
        let requests = (0..<50).map { "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(String($0).utf8.count)\r\n\r\n\($0)" }
        try client.send(requests.joined())
        #expect(try client.readResponses(50).map(\.body) == (0..<50).map(String.init))
    }

    @Test func answersExpectContinueSoCurlDoesNotWaitASecond() throws {
        let server = try TestServer()
        let body = String(repeating: "k=v&", count: 400) // 1.6 KiB: curl sends Expect: 100-continue
        let reply = try Curl.post(server.url + "/echo", body: body, extraArguments: ["-H", "Expect: 100-continue"])
        #expect(reply.status == 200)
        #expect(reply.body == body)
        #expect(reply.seconds < 0.8, "curl waited \(reply.seconds)s: the 100 Continue did not come")
    }

    @Test func acceptsAChunkedBodyFromCurl() throws {
        let server = try TestServer()
        let reply = try Curl.post(server.url + "/echo", body: "chunked=yes", extraArguments: ["-H", "Transfer-Encoding: chunked"])
        #expect(reply.status == 200)
        #expect(reply.body == "chunked=yes")
    }

    @Test func refusesAnOversizedBodyWith413WithoutReadingIt() throws {
        let server = try TestServer { $0.maximumBodyBytes = 1024 }
        let client = try TCPClient(port: server.port)
        // Announce 100 MB and send none of it: the answer must come anyway.
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n")
        let response = try client.readResponses(1)[0]
        #expect(response.status == 413)
        #expect(response.headers["connection"] == "close")
        #expect(client.isClosedByPeer())
    }

    @Test func refusesAnOversizedHeadWith431() throws {
        let server = try TestServer()
        let client = try TCPClient(port: server.port)
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "x", count: 20_000) + "\r\n\r\n")
        #expect(try client.readResponses(1)[0].status == 431)
    }

    @Test func answersGarbageWith400AndKeepsServingOthers() throws {
        let server = try TestServer()
        let garbage = try TCPClient(port: server.port)
        try garbage.send([0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03] + Array(repeating: 0, count: 64))
        #expect(try garbage.readResponses(1)[0].status == 400)
        #expect(garbage.isClosedByPeer())
        #expect(try Curl.get(server.url + "/hello").body == "hello")
    }

    @Test func closesAClientThatTricklesItsHeadAtTheHeaderTimeout() throws {
        let server = try TestServer { $0.headerTimeout = .milliseconds(400) }
        let client = try TCPClient(port: server.port, timeout: 5)
        let started = Date()
        try client.send("GET /hello HTTP/1.1\r\n")
        usleep(200_000)
        try client.send("Host: t\r\n") // still trickling; the deadline is for the whole head
        let (bytes, closed) = client.readUntilClose()
        let elapsed = Date().timeIntervalSince(started)
        #expect(closed)
        #expect(TestResponse.parseAll(bytes).first?.status == 408)
        #expect(elapsed < 2.5, "closed after \(elapsed)s")
        #expect(elapsed >= 0.35)
    }

    @Test func closesAClientThatSendsNothing() throws {
        let server = try TestServer { $0.headerTimeout = .milliseconds(300) }
        let client = try TCPClient(port: server.port, timeout: 5)
        let started = Date()
        #expect(client.isClosedByPeer())
        #expect(Date().timeIntervalSince(started) < 2.5)
    }

    @Test func closesAnIdleKeepAliveConnection() throws {
        let server = try TestServer { $0.idleTimeout = .milliseconds(300) }
        let client = try TCPClient(port: server.port, timeout: 5)
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponses(1)[0].status == 200)
        let started = Date()
        #expect(client.isClosedByPeer())
        #expect(Date().timeIntervalSince(started) < 2.5)
    }

    @Test func refusesConnectionsBeyondTheLimitAndRecoversAfterwards() throws {
        let server = try TestServer { $0.maximumConnections = 3 }
        let held = try (0..<3).map { _ in try TCPClient(port: server.port) }
        for client in held {
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponses(1)[0].status == 200)
        }
        let extra = try TCPClient(port: server.port)
        let (bytes, closed) = extra.readUntilClose()
        #expect(closed)
        #expect(TestResponse.parseAll(bytes).first?.status == 503)
        #expect(server.server.statistics.connectionsRefused.load(ordering: .relaxed) >= 1)
        for client in held { try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n") }
        for client in held {
            _ = client.readUntilClose()
            client.close()
        }
        usleep(100_000)
        #expect(try Curl.get(server.url + "/hello").body == "hello")
    }

    @Test func speaksHTTP10AndClosesAfterwards() throws {
        let server = try TestServer()
        let client = try TCPClient(port: server.port)
        try client.send("GET /hello HTTP/1.0\r\n\r\n")
        let (bytes, closed) = client.readUntilClose()
        #expect(closed)
        #expect(TestResponse.parseAll(bytes).first?.body == "hello")
    }

    @Test func honoursConnectionClose() throws {
        let server = try TestServer()
        let client = try TCPClient(port: server.port)
        try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
        let (bytes, closed) = client.readUntilClose()
        #expect(closed)
        let responses = TestResponse.parseAll(bytes)
        #expect(responses.count == 1)
        #expect(responses.first?.headers["connection"] == "close")
    }

    @Test func aHandlerThatNeverAnswersStillProducesA500() throws {
        let server = try TestServer()
        let client = try TCPClient(port: server.port)
        try client.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponses(1)[0].status == 500)
    }

    @Test func shutdownAnswersRequestsInFlightThenStops() throws {
        let server = try TestServer()
        let client = try TCPClient(port: server.port)
        try client.send("GET /slow?ms=400 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(100_000)
        let finished = DispatchSemaphore(value: 0)
        let outcome = LockedBox(false)
        DispatchQueue.global().async {
            outcome.value = server.server.shutdown(gracePeriod: .seconds(5))
            finished.signal()
        }
        let response = try client.readResponses(1)[0]
        #expect(response.body == "slow 400")
        #expect(response.headers["connection"] == "close")
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(outcome.value)
        #expect(throws: (any Error).self) { try TCPClient(port: server.port) }
    }
}

/// A value shared with a background closure in a test.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
