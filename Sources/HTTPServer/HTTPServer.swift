import Dispatch
import Foundation
import Logging
import Synchronization
import Locking
import SystemSupport

/// A small HTTP/1.1 server on epoll: one event-loop thread per core,
/// listeners served by the first loop and connections spread over all of
/// them round-robin. It knows nothing of Alipay: handlers decide what a
/// request means.
///
/// Lifecycle: `init`, `addListener` (one or more), `start`, and later
/// `shutdown(gracePeriod:)`, which stops accepting, lets started requests
/// finish, and closes what is left when the grace period ends.
public final class HTTPServer: @unchecked Sendable {
    /// A listening socket and the handler of its requests.
    struct Listener {
        let socket: ListeningSocket
        let handler: any HTTPHandler
    }

    public let configuration: HTTPServerConfiguration
    public let statistics = HTTPServerStatistics()
    let logger: Logger
    private var loops: [EventLoop] = []
    private let openConnections = Atomic<Int>(0)
    private let roundRobin = Atomic<Int>(0)
    private let lastRefusalLog = Atomic<Int64>(0)
    private let running = DispatchGroup()
    private let lifecycle = Locked(ServerStateMachine())
    private var listeners: [Listener] = []

    public init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), logger: Logger) throws(SystemError) {
        self.configuration = configuration
        self.logger = logger
        for index in 0..<max(1, configuration.eventLoopThreads) {
            loops.append(try EventLoop(index: index, server: self))
        }
    }

    /// Serves `socket` with `handler`. Call before `start`.
    public func addListener(_ socket: ListeningSocket, handler: any HTTPHandler) {
        listeners.append(Listener(socket: socket, handler: handler))
    }

    /// Starts the event-loop threads. Returns at once.
    public func start() {
        if case .refuse(let reason) = lifecycle.withLock({ $0.start() }) {
            preconditionFailure(reason)
        }
        for listener in listeners {
            loops[0].addListener(listener)
        }
        for loop in loops {
            running.enter()
            let thread = Thread { loop.run() }
            thread.name = "http-loop-\(loop.index)"
            thread.start()
        }
    }

    /// Runs `completion` once every event loop has run a no-op (on the
    /// thread of the last one): proof that no loop is wedged. Not called
    /// when a loop never gets to it.
    public func heartbeat(_ completion: @escaping @Sendable () -> Void) {
        let countdown = HeartbeatCountdown(loops: loops.count, completion)
        for loop in loops {
            loop.execute { countdown.loopDidRun() }
        }
    }

    /// Connections open right now, across all listeners.
    public var openConnectionCount: Int {
        openConnections.load(ordering: .relaxed)
    }

    /// Stops accepting, waits up to `gracePeriod` for started requests to be
    /// answered, then closes every connection. Returns true when everything
    /// finished within the grace period. Blocks the calling thread.
    @discardableResult
    public func shutdown(gracePeriod: Duration) -> Bool {
        let action = lifecycle.withLock { $0.shutdownRequested() }
        switch action {
        case .nothingToStop:
            return true
        case .stopLoopsAndWait:
            for loop in loops { loop.execute { loop.beginShutdown() } }
        case .waitForLoops:
            break
        }
        // The caller that stopped the loops says when they are done.
        defer { if action == .stopLoopsAndWait { lifecycle.withLock { $0.loopsStopped() } } }
        if running.wait(timeout: .now() + gracePeriod.inSeconds) == .success { return true }
        logger.warning("grace period of \(gracePeriod) over; closing \(openConnectionCount) connection(s) that are still open")
        for loop in loops { loop.execute { loop.forceClose() } }
        _ = running.wait(timeout: .now() + 2)
        return false
    }

    // MARK: - Called by the loops

    func loopDidStop(_ loop: EventLoop) {
        running.leave()
    }

    func nextLoop() -> EventLoop {
        let index = roundRobin.add(1, ordering: .relaxed).oldValue
        return loops[index % loops.count]
    }

    /// Counts a new connection in, or says no when the limit is reached.
    func admitConnection() -> Bool {
        let previous = openConnections.add(1, ordering: .relaxed).oldValue
        if previous >= configuration.maximumConnections {
            openConnections.subtract(1, ordering: .relaxed)
            return false
        }
        statistics.connectionsAccepted.add(1, ordering: .relaxed)
        return true
    }

    func connectionDidClose() {
        openConnections.subtract(1, ordering: .relaxed)
    }

    /// Answers 503 (best effort, without waiting) and closes a connection
    /// that would exceed the limit; logs at most once a second about it.
    func refuseConnection(_ fd: Int32) {
        statistics.connectionsRefused.add(1, ordering: .relaxed)
        let refusal = Array("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        _ = refusal.withUnsafeBytes { try? SystemCall.send(fd, $0) }
        SystemCall.close(fd)
        let now = MonotonicClock.nanoseconds()
        let last = lastRefusalLog.load(ordering: .relaxed)
        if now - last > 1_000_000_000,
           lastRefusalLog.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged {
            logger.warning("connection limit of \(configuration.maximumConnections) reached; refusing new connections (\(statistics.connectionsRefused.load(ordering: .relaxed)) refused so far)")
        }
    }
}

/// Carries a heartbeat's completion to whichever loop runs it last.
private final class HeartbeatCountdown: Sendable {
    private let remaining: Atomic<Int>
    private let completion: @Sendable () -> Void

    init(loops: Int, _ completion: @escaping @Sendable () -> Void) {
        remaining = Atomic(loops)
        self.completion = completion
    }

    func loopDidRun() {
        if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { completion() }
    }
}
