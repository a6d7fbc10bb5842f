@testable import HTTPServer
import Testing

/// The connection's lifecycle without a socket: every event, the action it
/// asks for, and the state it leaves. Times are plain nanoseconds.
@Suite struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine

    static let second: Int64 = 1_000_000_000

    /// Timeouts of 10 s (head), 30 s (body), 60 s (idle), 30 s (write),
    /// 2 s (linger), and a pipeline of 2.
    static func machine(pipeline: Int = 2) -> Machine {
        var configuration = HTTPServerConfiguration()
        configuration.maximumPipelinedRequests = pipeline
        return Machine(limits: .init(configuration), acceptedAt: 0)
    }

    static func statuses(_ outgoing: [Machine.Outgoing]) -> [Int] {
        outgoing.map {
            switch $0.content {
            case .continue100: 100
            case .response(let response): response.status
            }
        }
    }

    // MARK: - Reading

    @Test func parsesWhatItReadsWhileOpen() {
        var machine = Self.machine()
        #expect(machine.state == .open(.reading))
        #expect(machine.wantsToRead)
        #expect(machine.parsesRequests)
        let read = machine.bytesRead(10, now: 1)
        #expect(read == .parse)
    }

    @Test func doesNotReadAfterClose() {
        var machine = Self.machine()
        let closed = machine.close()
        #expect(closed)
        #expect(machine.state == .closed)
        #expect(!machine.wantsToRead)
        #expect(!machine.parsesRequests)
        let read = machine.bytesRead(10, now: 1)
        #expect(read == .discard)
    }

    @Test func closesOnce() {
        var machine = Self.machine()
        let closed = machine.close()
        #expect(closed)
        let closed2 = machine.close()
        #expect(!closed2)
    }

    @Test func doesNotParseAfterAClosingRequest() {
        var machine = Self.machine()
        _ = machine.requestParsed(version: .http11, keepAlive: false)
        #expect(machine.state == .open(.ignoring))
        #expect(!machine.parsesRequests)
        #expect(machine.wantsToRead) // to see the peer close
        let read = machine.bytesRead(5, now: 1)
        #expect(read == .discard)
    }

    @Test func pausesWhenThePipelineIsFullAndResumesWhenAResponseGoesOut() {
        var machine = Self.machine(pipeline: 2)
        let first = machine.requestParsed(version: .http11, keepAlive: true)
        _ = machine.requestParsed(version: .http11, keepAlive: true)
        #expect(machine.isPipelineFull)
        machine.pauseReading()
        #expect(machine.state == .open(.paused))
        #expect(!machine.wantsToRead)
        let resumed = machine.resumeIfRoom()
        #expect(!resumed, "no response went out yet")
        let accepted = machine.handlerAnswered(first, with: .text(200, "a"))
        #expect(accepted)
        let ready = machine.takeReadyResponses(now: 1)
        #expect(Self.statuses(ready) == [200])
        let resumed2 = machine.resumeIfRoom()
        #expect(resumed2)
        #expect(machine.state == .open(.reading))
    }

    @Test func doesNotResumeAConnectionThatWasNotPaused() {
        var machine = Self.machine()
        let resumed = machine.resumeIfRoom()
        #expect(!resumed)
        _ = machine.requestParsed(version: .http11, keepAlive: false)
        let resumed2 = machine.resumeIfRoom()
        #expect(!resumed2)
        #expect(machine.state == .open(.ignoring))
    }

    // MARK: - The pipeline

    @Test func writesResponsesInRequestOrderWhateverOrderTheyArriveIn() {
        var machine = Self.machine(pipeline: 8)
        let first = machine.requestParsed(version: .http11, keepAlive: true)
        let second = machine.requestParsed(version: .http11, keepAlive: true)
        let accepted = machine.handlerAnswered(second, with: .text(202, "second"))
        #expect(accepted)
        let ready = machine.takeReadyResponses(now: 1)
        #expect(ready.isEmpty, "the second response went out before the first")
        let accepted2 = machine.handlerAnswered(first, with: .text(201, "first"))
        #expect(accepted2)
        let ready2 = machine.takeReadyResponses(now: 2)
        #expect(Self.statuses(ready2) == [201, 202])
        #expect(machine.outstandingResponses == 0)
    }

    @Test func doesNotAcceptASecondResponseForOneRequest() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        let accepted = machine.handlerAnswered(sequence, with: .text(200, "once"))
        #expect(accepted)
        let accepted2 = machine.handlerAnswered(sequence, with: .text(500, "twice"))
        #expect(!accepted2)
        let ready = machine.takeReadyResponses(now: 1)
        #expect(Self.statuses(ready) == [200])
        let accepted3 = machine.handlerAnswered(sequence, with: .text(500, "after it was written"))
        #expect(!accepted3)
    }

    @Test func doesNotWriteAResponseAfterClose() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        _ = machine.close()
        let accepted = machine.handlerAnswered(sequence, with: .text(200, "late"))
        #expect(!accepted)
        let ready = machine.takeReadyResponses(now: 1)
        #expect(ready.isEmpty)
    }

    @Test func doesNotSendResponsesAfterAClosingOne() {
        var machine = Self.machine(pipeline: 8)
        let first = machine.requestParsed(version: .http11, keepAlive: true)
        let second = machine.requestParsed(version: .http11, keepAlive: true)
        let accepted = machine.handlerAnswered(second, with: .text(200, "b"))
        #expect(accepted)
        let accepted2 = machine.handlerAnswered(first, with: .text(503, "a", closeConnection: true))
        #expect(accepted2)
        let out = machine.takeReadyResponses(now: 1)
        #expect(Self.statuses(out) == [503])
        #expect(out.map(\.keepAlive) == [false])
        #expect(machine.state == .finishing(.thenLinger))
        #expect(machine.outstandingResponses == 0)
    }

    @Test func sendsContinueAtOnceAndTheResponseAfterIt() {
        var machine = Self.machine()
        machine.expectsContinue(now: 1)
        let out = machine.takeReadyResponses(now: 1)
        #expect(Self.statuses(out) == [100])
        #expect(out.map(\.keepAlive) == [true])
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        let accepted = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        #expect(accepted)
        let ready = machine.takeReadyResponses(now: 2)
        #expect(Self.statuses(ready) == [200])
    }

    @Test func keepsTheVersionOfTheRequestForItsResponse() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http10, keepAlive: true)
        let accepted = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        #expect(accepted)
        let out = machine.takeReadyResponses(now: 1)
        #expect(out.map(\.version) == [.http10])
        #expect(out.map(\.keepAlive) == [true])
    }

    // MARK: - Errors

    @Test func answersAParseErrorWith400AndConnectionClose() {
        var machine = Self.machine()
        machine.parseFailed(.badRequest("bare LF line ending"))
        #expect(machine.state == .open(.ignoring))
        let out = machine.takeReadyResponses(now: 1)
        #expect(Self.statuses(out) == [400])
        #expect(out.map(\.keepAlive) == [false])
        guard case .response(let response) = out.first?.content else { Issue.record("no response"); return }
        #expect(response.closeConnection)
        #expect(String(decoding: response.body, as: UTF8.self) == "bare LF line ending\n")
    }

    @Test func writesTheParseErrorOnlyAfterTheResponsesOwedBeforeIt() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        machine.parseFailed(.badRequest("malformed"))
        let ready = machine.takeReadyResponses(now: 1)
        #expect(ready.isEmpty, "the 400 overtook the response owed before it")
        let accepted = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        #expect(accepted)
        let ready2 = machine.takeReadyResponses(now: 2)
        #expect(Self.statuses(ready2) == [200, 400])
    }

    // MARK: - Output and the end of a connection

    @Test func keepsAKeepAliveConnectionOpenAfterItsResponseIsWritten() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        _ = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        _ = machine.takeReadyResponses(now: 1)
        #expect(machine.isOutputPending)
        let drained = machine.outputDrained(now: 2, progress: .idle)
        #expect(drained == .none)
        #expect(!machine.isOutputPending)
        #expect(machine.state == .open(.reading))
    }

    @Test func lingersAfterTheClosingResponseIsWrittenAndClosesAtTheDeadline() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: false)
        _ = machine.handlerAnswered(sequence, with: .text(200, "bye"))
        _ = machine.takeReadyResponses(now: 1)
        let drained = machine.outputDrained(now: 10, progress: .idle)
        #expect(drained == .shutDownOutputAndLinger)
        #expect(machine.state == .lingering(deadline: 10 + 2 * Self.second, discarded: 0))
        #expect(machine.wantsToRead)
        let read = machine.bytesRead(100, now: 11)
        #expect(read == .discard)
        let deadline = machine.checkDeadlines(now: 11, progress: .idle)
        #expect(deadline == .none)
        let deadline2 = machine.checkDeadlines(now: 10 + 2 * Self.second, progress: .idle)
        #expect(deadline2 == .close)
    }

    @Test func doesNotLingerBeforeTheClosingResponseIsWritten() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: false)
        let drained = machine.outputDrained(now: 1, progress: .idle)
        #expect(drained == .none)
        _ = machine.handlerAnswered(sequence, with: .text(200, "bye"))
        _ = machine.takeReadyResponses(now: 2)
        #expect(machine.state == .finishing(.thenLinger))
    }

    @Test func closesALingeringConnectionThatKeepsSendingAMegabyte() {
        var machine = Self.machine()
        machine.parseFailed(.badRequest("x"))
        _ = machine.takeReadyResponses(now: 1)
        _ = machine.outputDrained(now: 1, progress: .idle)
        let read = machine.bytesRead(Machine.maximumLingerDiscard, now: 2)
        #expect(read == .discard)
        let read2 = machine.bytesRead(1, now: 3)
        #expect(read2 == .close)
    }

    @Test func closesAtOnceWhenThePeerClosesAnIdleConnection() {
        var machine = Self.machine()
        let peerAction = machine.peerClosed(now: 1)
        #expect(peerAction == .close)
    }

    @Test func closesWhenThePeerClosesWhileLingering() {
        var machine = Self.machine()
        machine.parseFailed(.badRequest("x"))
        _ = machine.takeReadyResponses(now: 1)
        _ = machine.outputDrained(now: 1, progress: .idle)
        let peerAction = machine.peerClosed(now: 2)
        #expect(peerAction == .close)
    }

    @Test func answersAHalfClosedPeerThenClosesWithoutLingering() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        let peerAction = machine.peerClosed(now: 1)
        #expect(peerAction == .none)
        #expect(machine.state == .finishing(.thenClose))
        #expect(!machine.wantsToRead, "read after the peer closed its side")
        let accepted = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        #expect(accepted)
        let out = machine.takeReadyResponses(now: 2)
        #expect(Self.statuses(out) == [200])
        let drained = machine.outputDrained(now: 3, progress: .idle)
        #expect(drained == .close)
    }

    @Test func waitsForPendingOutputWhenThePeerCloses() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        _ = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        _ = machine.takeReadyResponses(now: 1)
        let peerAction = machine.peerClosed(now: 2)
        #expect(peerAction == .none)
        let drained = machine.outputDrained(now: 3, progress: .idle)
        #expect(drained == .close)
    }

    // MARK: - Deadlines

    @Test func closesAClientThatSendsNothingWithinTheHeaderTimeout() {
        var machine = Self.machine()
        let deadline = machine.checkDeadlines(now: 10 * Self.second, progress: .idle)
        #expect(deadline == .none)
        let deadline2 = machine.checkDeadlines(now: 10 * Self.second + 1, progress: .idle)
        #expect(deadline2 == .timeOutAndClose)
    }

    @Test func answers408WhenTheHeadDoesNotArriveInTime() {
        var machine = Self.machine()
        machine.inputBuffered(.head, now: 5 * Self.second)
        // The first head is due within the header timeout of the accept, not of its first byte.
        let deadline = machine.checkDeadlines(now: 10 * Self.second + 1, progress: .head)
        #expect(deadline == .timeOutAndWriteResponses)
        let out = machine.takeReadyResponses(now: 11 * Self.second)
        #expect(Self.statuses(out) == [408])
        #expect(out.map(\.keepAlive) == [false])
        #expect(machine.state == .finishing(.thenLinger))
    }

    @Test func timesTheNextHeadFromItsFirstByte() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        _ = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        _ = machine.takeReadyResponses(now: 1)
        _ = machine.outputDrained(now: 1, progress: .idle)
        machine.inputBuffered(.head, now: 50 * Self.second)
        let deadline = machine.checkDeadlines(now: 59 * Self.second, progress: .head)
        #expect(deadline == .none)
        let deadline2 = machine.checkDeadlines(now: 60 * Self.second + 1, progress: .head)
        #expect(deadline2 == .timeOutAndWriteResponses)
    }

    @Test func answers408WhenTheBodyDoesNotArriveInTime() {
        var machine = Self.machine()
        machine.inputBuffered(.body, now: Self.second)
        let deadline = machine.checkDeadlines(now: 31 * Self.second, progress: .body)
        #expect(deadline == .none)
        let deadline2 = machine.checkDeadlines(now: 31 * Self.second + 1, progress: .body)
        #expect(deadline2 == .timeOutAndWriteResponses)
        let ready = machine.takeReadyResponses(now: 32 * Self.second)
        #expect(Self.statuses(ready) == [408])
    }

    @Test func doesNotTimeOutAClientWhileTheHandlerOwesItAnAnswer() {
        var machine = Self.machine()
        _ = machine.requestParsed(version: .http11, keepAlive: true)
        let deadline = machine.checkDeadlines(now: 1_000 * Self.second, progress: .idle)
        #expect(deadline == .none)
    }

    @Test func closesAnIdleKeepAliveConnection() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        _ = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        _ = machine.takeReadyResponses(now: 1)
        _ = machine.outputDrained(now: 1, progress: .idle)
        let deadline = machine.checkDeadlines(now: 60 * Self.second, progress: .idle)
        #expect(deadline == .none)
        let deadline2 = machine.checkDeadlines(now: 60 * Self.second + 2, progress: .idle)
        #expect(deadline2 == .close)
    }

    @Test func dropsAClientThatDoesNotReadItsResponses() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        _ = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        _ = machine.takeReadyResponses(now: 100 * Self.second)
        // The write deadline runs from when output became pending, not from the accept.
        let deadline = machine.checkDeadlines(now: 130 * Self.second, progress: .idle)
        #expect(deadline == .none)
        machine.wroteBytes(now: 120 * Self.second)
        let deadline2 = machine.checkDeadlines(now: 150 * Self.second, progress: .idle)
        #expect(deadline2 == .none)
        let deadline3 = machine.checkDeadlines(now: 150 * Self.second + 1, progress: .idle)
        #expect(deadline3 == .timeOutAndClose)
    }

    @Test func checksNoDeadlineAfterClose() {
        var machine = Self.machine()
        _ = machine.close()
        let deadline = machine.checkDeadlines(now: 1_000 * Self.second, progress: .idle)
        #expect(deadline == .none)
    }

    // MARK: - Shutdown

    @Test func shutdownClosesAnIdleConnectionAtOnce() {
        var machine = Self.machine()
        let shutdown = machine.shutdownRequested(progress: .idle)
        #expect(shutdown == .close)
        let shutdown2 = machine.shutdownRequested(progress: .head)
        #expect(shutdown2 == .close, "a head that has not arrived is not a request in flight")
    }

    @Test func shutdownLetsABodyInProgressFinishAndClosesAfterItsResponse() {
        var machine = Self.machine()
        let shutdown = machine.shutdownRequested(progress: .body)
        #expect(shutdown == .none)
        #expect(machine.parsesRequests)
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        #expect(!machine.parsesRequests, "parsed another request after shutdown")
        _ = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        let out = machine.takeReadyResponses(now: 1)
        #expect(out.map(\.keepAlive) == [false])
    }

    @Test func shutdownWaitsForAnAnswerOwedAndThenCloses() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        let shutdown = machine.shutdownRequested(progress: .idle)
        #expect(shutdown == .none)
        #expect(machine.state == .open(.ignoring))
        let accepted = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        #expect(accepted)
        let out = machine.takeReadyResponses(now: 1)
        #expect(out.map(\.keepAlive) == [false], "kept a connection alive after shutdown")
        let drained = machine.outputDrained(now: 2, progress: .idle)
        #expect(drained == .shutDownOutputAndLinger)
    }

    @Test func shutdownClosesOnceOutputPendingIsWritten() {
        var machine = Self.machine()
        let sequence = machine.requestParsed(version: .http11, keepAlive: true)
        _ = machine.handlerAnswered(sequence, with: .text(200, "ok"))
        _ = machine.takeReadyResponses(now: 1)
        let shutdown = machine.shutdownRequested(progress: .idle)
        #expect(shutdown == .none)
        let drained = machine.outputDrained(now: 2, progress: .idle)
        #expect(drained == .close)
    }

    @Test func shutdownDoesNothingToAClosedConnection() {
        var machine = Self.machine()
        _ = machine.close()
        let shutdown = machine.shutdownRequested(progress: .idle)
        #expect(shutdown == .none)
    }
}
