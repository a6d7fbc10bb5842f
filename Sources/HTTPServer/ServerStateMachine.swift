/// The lifecycle of an `HTTPServer`: configured, running, stopping,
/// stopped. `start` and `shutdown` may be called from any thread (under the
/// server's lock); each asks the state machine what to do, so that the
/// event loops are started once and asked to stop once.
struct ServerStateMachine: Equatable {
    enum State: Equatable {
        /// Listeners may be added; no loop runs.
        case configured
        /// The event loops run and accept connections.
        case running
        /// The loops were asked to stop; requests in flight may finish.
        case stopping
        /// Shutdown returned; nothing runs.
        case stopped
    }

    /// What `start` must do.
    enum StartAction: Equatable {
        /// Start the event-loop threads.
        case startLoops
        /// A bug in the caller: the server runs, or ran, already.
        case refuse(String)
    }

    /// What `shutdown` must do.
    enum ShutdownAction: Equatable {
        /// No loop was ever started: there is nothing to wait for.
        case nothingToStop
        /// Ask every loop to stop accepting and finish, then wait for them.
        case stopLoopsAndWait
        /// The loops were asked already (a second shutdown): only wait.
        case waitForLoops
    }

    private(set) var state: State = .configured

    mutating func start() -> StartAction {
        switch state {
        case .configured:
            state = .running
            return .startLoops
        case .running, .stopping:
            return .refuse("HTTPServer.start called twice")
        case .stopped:
            return .refuse("HTTPServer.start called after shutdown")
        }
    }

    mutating func shutdownRequested() -> ShutdownAction {
        switch state {
        case .configured, .stopped:
            state = .stopped
            return .nothingToStop
        case .running:
            state = .stopping
            return .stopLoopsAndWait
        case .stopping:
            return .waitForLoops
        }
    }

    /// The loops stopped (or were forced to): shutdown is over.
    mutating func loopsStopped() {
        if state == .stopping { state = .stopped }
    }
}
