import AlipayNotify
import Foundation
import Ledger
import Outbox
import Testing
import TestSupport

@Suite struct OutboxDispatcherTests {
    @Test func anHTTPSinkThatFailsThenHangsThenWorksGetsEveryEventWithTheSameKey() throws {
        let ledger = try OutboxLedger()
        let server = try ScriptedSinkServer(script: [.status(500), .status(503), .hang], then: .status(200))
        let dispatcher = ledger.dispatcher(sink: try HTTPEventSink(url: server.url, timeout: .milliseconds(400)))
        dispatcher.start()
        defer { dispatcher.stop() }
        ledger.record("O1", id: "N1")

        #expect(try ledger.wait { try ledger.event("O1/ship")?.state == .delivered })
        let event = try #require(try ledger.event("O1/ship"))
        let requests = server.requests
        #expect(requests.count == 4)
        #expect(event.attempts == 4)
        #expect(requests.allSatisfy { $0.idempotencyKey == "O1/ship" })
        #expect(requests.allSatisfy { $0.body.contains("\"kind\":\"ship\"") && $0.body.contains("\"amount\":\"100.00\"") && $0.body.contains("\"amount_fen\":10000") })
        #expect(requests.enumerated().allSatisfy { $1.body.contains("\"attempt\":\($0 + 1)}") })
        // Backoff grows: the wait before the 4th attempt (after a timeout and a
        // doubled delay) is longer than the wait before the 2nd.
        let first = requests[1].at.timeIntervalSince(requests[0].at)
        let third = requests[3].at.timeIntervalSince(requests[2].at)
        #expect(first < third, "gaps \(first)s then \(third)s")
        #expect(third >= 0.4) // the hung attempt waited for its timeout
        #expect(dispatcher.statistics.delivered.load(ordering: .relaxed) == 1)
        #expect(dispatcher.statistics.failed.load(ordering: .relaxed) == 3)
    }

    @Test func eventsOfOneTradeArriveInOrderEvenWhenTheFirstNeedsRetries() throws {
        let ledger = try OutboxLedger()
        let server = try ScriptedSinkServer(script: [.status(500), .status(500)], then: .status(200))
        ledger.record("O1", id: "N1")
        ledger.record("O1", id: "N2", refund: 3000)
        ledger.record("O1", id: "N3", status: .tradeClosed, refund: 10000)
        let dispatcher = ledger.dispatcher(sink: try HTTPEventSink(url: server.url, timeout: .seconds(2)))
        dispatcher.start()
        defer { dispatcher.stop() }
        #expect(try ledger.wait { try ledger.event("O1/close")?.state == .delivered })
        let keys = server.requests.map(\.idempotencyKey)
        #expect(keys == ["O1/ship", "O1/ship", "O1/ship", "O1/refund/3000", "O1/close"])
    }

    @Test func aSinkThatNeverWorksDeadLettersTheEventAndRedeliveryBringsItBack() throws {
        let ledger = try OutboxLedger()
        let server = try ScriptedSinkServer(script: [], then: .status(500))
        let dispatcher = ledger.dispatcher(sink: try HTTPEventSink(url: server.url, timeout: .seconds(2)), maximumAttempts: 3)
        dispatcher.start()
        defer { dispatcher.stop() }
        ledger.record("O1", id: "N1")
        #expect(try ledger.wait { try ledger.event("O1/ship")?.state == .dead })
        #expect(try ledger.event("O1/ship")?.attempts == 3)
        #expect(try ledger.event("O1/ship")?.lastError?.contains("HTTP 500") == true)
        #expect(dispatcher.statistics.deadLettered.load(ordering: .relaxed) == 1)

        server.setFallback(.status(204))
        #expect(try ledger.writer.performAndWait { store in try store.redeliver("O1/ship") } == .redelivered)
        dispatcher.wake()
        #expect(try ledger.wait { try ledger.event("O1/ship")?.state == .delivered })
        #expect(server.requests.count == 4)
    }

    @Test func aConnectionRefusedIsAFailedAttemptNotACrash() throws {
        let ledger = try OutboxLedger()
        // A port nothing listens on.
        let sink = try HTTPEventSink(url: "http://127.0.0.1:1/events", timeout: .seconds(1))
        let dispatcher = ledger.dispatcher(sink: sink, maximumAttempts: 2, retryBase: .milliseconds(20))
        dispatcher.start()
        defer { dispatcher.stop() }
        ledger.record("O1", id: "N1")
        #expect(try ledger.wait { try ledger.event("O1/ship")?.state == .dead })
        #expect(try ledger.event("O1/ship")?.lastError?.contains("connect") == true)
    }

    @Test func backoffDoublesWithJitterUpToTheMaximum() {
        var settings = OutboxDispatcher.Settings()
        settings.retryBase = .seconds(2)
        settings.retryMaximum = .seconds(60)
        for _ in 0..<200 {
            #expect((1.0..<3.0).contains(settings.retryDelay(afterAttempt: 1)))
            #expect((4.0..<12.0).contains(settings.retryDelay(afterAttempt: 3)))
            #expect((30.0..<90.0).contains(settings.retryDelay(afterAttempt: 20)))
        }
    }
}

