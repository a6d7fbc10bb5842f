@testable import HTTPServer
import Testing

@Suite struct ServerStateMachineTests {
    @Test func startsOnceThenStopsOnce() {
        var machine = ServerStateMachine()
        let start = machine.start()
        #expect(start == .startLoops)
        #expect(machine.state == .running)
        let shutdown = machine.shutdownRequested()
        #expect(shutdown == .stopLoopsAndWait)
        #expect(machine.state == .stopping)
        machine.loopsStopped()
        #expect(machine.state == .stopped)
    }

    @Test func doesNotStartTwice() {
        var machine = ServerStateMachine()
        _ = machine.start()
        let start = machine.start()
        #expect(start == .refuse("HTTPServer.start called twice"))
    }

    @Test func doesNotStartAfterShutdown() {
        var machine = ServerStateMachine()
        _ = machine.shutdownRequested()
        let start = machine.start()
        #expect(start == .refuse("HTTPServer.start called after shutdown"))
    }

    @Test func doesNotAskTheLoopsToStopTwice() {
        var machine = ServerStateMachine()
        _ = machine.start()
        _ = machine.shutdownRequested()
        let shutdown = machine.shutdownRequested()
        #expect(shutdown == .waitForLoops)
    }

    @Test func hasNothingToStopWhenNeverStarted() {
        var machine = ServerStateMachine()
        let shutdown = machine.shutdownRequested()
        #expect(shutdown == .nothingToStop)
        #expect(machine.state == .stopped)
        let shutdown2 = machine.shutdownRequested()
        #expect(shutdown2 == .nothingToStop)
    }

    @Test func doesNotCallItStoppedBeforeItWasAskedToStop() {
        var machine = ServerStateMachine()
        _ = machine.start()
        machine.loopsStopped()
        #expect(machine.state == .running)
    }
}
