import Foundation
import Ledger
import Outbox
import Testing
import TestSupport

@Suite struct ExecEventSinkTests {
    @Test func theCommandGetsTheEventOnStdinAndInItsEnvironment() throws {
        let ledger = try OutboxLedger()
        let record = ledger.directory.path
        let command = "cat > \(record)/stdin.json; env | grep '^ALIPAY_' | sort > \(record)/env.txt"
        let dispatcher = ledger.dispatcher(sink: try ExecEventSink(command: command, timeout: .seconds(5)))
        dispatcher.start()
        defer { dispatcher.stop() }
        ledger.record("O7", id: "N7", total: 8888)
        #expect(try ledger.wait { try ledger.event("O7/ship")?.state == .delivered })
        let stdin = try String(contentsOfFile: "\(record)/stdin.json", encoding: .utf8)
        let environment = try String(contentsOfFile: "\(record)/env.txt", encoding: .utf8)
        #expect(stdin.contains("\"id\":\"O7/ship\""))
        #expect(stdin.contains("\"amount\":\"88.88\""))
        #expect(environment.contains("ALIPAY_EVENT_ID=O7/ship"))
        #expect(environment.contains("ALIPAY_EVENT_KIND=ship"))
        #expect(environment.contains("ALIPAY_OUT_TRADE_NO=O7"))
        #expect(environment.contains("ALIPAY_AMOUNT=88.88"))
        #expect(environment.contains("ALIPAY_AMOUNT_FEN=8888"))
        #expect(environment.contains("ALIPAY_EVENT_ATTEMPT=1"))
    }

    @Test func aFailingCommandIsRetriedAndItsErrorKept() throws {
        let ledger = try OutboxLedger()
        let counter = ledger.directory.file("count")
        // Fails twice (printing why), then works.
        let command = "n=$(cat \(counter) 2>/dev/null || echo 0); echo $((n+1)) > \(counter); if [ $n -lt 2 ]; then echo 'warehouse down' >&2; exit 3; fi"
        let dispatcher = ledger.dispatcher(sink: try ExecEventSink(command: command, timeout: .seconds(5)), retryBase: .milliseconds(20))
        dispatcher.start()
        defer { dispatcher.stop() }
        ledger.record("O1", id: "N1")
        #expect(try ledger.wait { try ledger.event("O1/ship")?.state == .delivered })
        let event = try #require(try ledger.event("O1/ship"))
        #expect(event.attempts == 3)
        #expect(event.lastError == "the command exited with status 3: warehouse down")
    }

    @Test func aCommandThatHangsIsKilledWithItsChildren() throws {
        let marker = "4\(Int.random(in: 100...999)).5"
        let sink = try ExecEventSink(command: "sleep \(marker) & sleep \(marker); wait", timeout: .milliseconds(300))
        let ledger = try OutboxLedger()
        ledger.record("O1", id: "N1")
        let event = try #require(try ledger.event("O1/ship"))
        let started = Date()
        let result = sink.deliver(event, attempt: 1)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(result == .failed("the command did not finish within 300 ms and was killed"))
        usleep(200_000)
        let survivors = try ChildProcess.run("pgrep", ["-f", "sleep \(marker)"])
        #expect(survivors.stdout.isEmpty, "still running: \(survivors.stdout)")
    }

    @Test func aCommandThatCannotStartIsAFailure() throws {
        let ledger = try OutboxLedger()
        ledger.record("O1", id: "N1")
        let event = try #require(try ledger.event("O1/ship"))
        let result = try ExecEventSink(command: "/nonexistent/fulfil", timeout: .seconds(5)).deliver(event, attempt: 1)
        guard case .failed(let reason) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(reason.contains("status 127"))
    }
}
