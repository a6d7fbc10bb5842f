import CLinux
import Foundation
import Synchronization
import Locking
import SystemSupport

/// One thread, one epoll instance, and the connections it owns.
///
/// Everything a connection does happens on its loop's thread, so connection
/// state needs no lock. Other threads reach a loop only through `execute`,
/// which queues a closure and wakes the loop through an eventfd.
final class EventLoop: @unchecked Sendable {
    let index: Int
    let epoll: Int32
    private let wakeFD: Int32
    private let tasks = Locked<[@Sendable () -> Void]>([])
    /// pthread_self() of the loop's thread, once it runs.
    private let thread = Atomic<UInt>(0)
    unowned let server: HTTPServer

    // Loop-thread state.
    var connections: [Int32: Connection] = [:]
    private var listeners: [Int32: HTTPServer.Listener] = [:]
    private var pausedListeners: [(listener: HTTPServer.Listener, resumeAt: Int64)] = []
    private var shuttingDown = false
    private var stopped = false
    let readBuffer: UnsafeMutableRawBufferPointer
    private var lastTimeoutCheck: Int64 = 0

    /// How often deadlines are checked: a tenth of the shortest timeout,
    /// between 10 ms and 250 ms.
    private let tickNanoseconds: Int64

    init(index: Int, server: HTTPServer) throws(SystemError) {
        self.index = index
        self.server = server
        self.epoll = try SystemCall.epollCreate()
        do {
            self.wakeFD = try SystemCall.eventFD()
        } catch {
            SystemCall.close(epoll)
            throw error
        }
        self.readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        let configuration = server.configuration
        let shortest = [configuration.headerTimeout, configuration.bodyTimeout, configuration.idleTimeout,
                        configuration.writeTimeout, configuration.lingerTimeout].map(\.inNanoseconds).min() ?? 1_000_000_000
        self.tickNanoseconds = min(250_000_000, max(10_000_000, shortest / 10))
        try SystemCall.epollControl(epoll, EPOLL_CTL_ADD, wakeFD, events: EPOLLIN.rawValue)
    }

    deinit {
        readBuffer.deallocate()
        SystemCall.close(wakeFD)
        SystemCall.close(epoll)
    }

    /// Runs `task` on this loop's thread. Safe from any thread.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let wake = tasks.withLock { queue in
            queue.append(task)
            return queue.count == 1
        }
        if wake {
            // EAGAIN (the counter is full) still wakes the loop.
            do {
                try SystemCall.signalEventFD(wakeFD)
            } catch {
                server.logger.critical("cannot wake event loop \(index): \(error)")
            }
        }
    }

    /// True on this loop's own thread.
    var isCurrentThread: Bool {
        thread.load(ordering: .relaxed) == UInt(pthread_self())
    }

    /// The thread body: wait, dispatch, run queued tasks, check deadlines.
    func run() {
        thread.store(UInt(pthread_self()), ordering: .relaxed)
        notifyd_set_thread_name("http-loop-\(index)")
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while !stopped {
            let timeoutMilliseconds = Int32(max(1, tickNanoseconds / 1_000_000))
            let count: Int
            do {
                count = try events.withUnsafeMutableBufferPointer { buffer throws(SystemError) in
                    try SystemCall.epollWait(epoll, into: buffer, timeoutMilliseconds: timeoutMilliseconds)
                }
            } catch {
                server.logger.critical("\(error); the loop stops")
                break
            }
            for index in 0..<count {
                let (fd, flags) = events.withUnsafeBufferPointer { buffer in
                    (Int32(truncatingIfNeeded: notifyd_epoll_event_data(buffer.baseAddress! + index)),
                     notifyd_epoll_event_events(buffer.baseAddress! + index))
                }
                if fd == wakeFD {
                    try? SystemCall.drainEventFD(wakeFD)
                } else if let listener = listeners[fd] {
                    acceptConnections(listener)
                } else if let connection = connections[fd] {
                    connection.handleEvents(flags)
                }
            }
            runQueuedTasks()
            let now = MonotonicClock.nanoseconds()
            if now - lastTimeoutCheck >= tickNanoseconds {
                lastTimeoutCheck = now
                checkDeadlines(now)
            }
            if shuttingDown && connections.isEmpty {
                stopped = true
            }
        }
        for connection in Array(connections.values) {
            connection.close()
        }
        server.loopDidStop(self)
    }

    private func runQueuedTasks() {
        while true {
            let batch = tasks.withLock { queue -> [@Sendable () -> Void] in
                let taken = queue
                queue.removeAll(keepingCapacity: true)
                return taken
            }
            if batch.isEmpty { return }
            for task in batch { task() }
        }
    }

    // MARK: - Listeners and accepting

    func addListener(_ listener: HTTPServer.Listener) {
        listeners[listener.socket.fd] = listener
        do {
            try SystemCall.epollControl(epoll, EPOLL_CTL_ADD, listener.socket.fd, events: EPOLLIN.rawValue)
        } catch {
            server.logger.critical("cannot watch listener \(listener.socket.localAddress): \(error)")
        }
    }

    private func removeListener(_ fd: Int32) {
        guard listeners.removeValue(forKey: fd) != nil else { return }
        try? SystemCall.epollControl(epoll, EPOLL_CTL_DEL, fd, events: 0)
    }

    private func acceptConnections(_ listener: HTTPServer.Listener) {
        // A bounded batch per wake-up keeps one busy listener from starving
        // the connections already open.
        for _ in 0..<64 {
            let fd: Int32
            do {
                guard case .done(let accepted) = try SystemCall.accept(listener.socket.fd) else { return }
                fd = accepted
            } catch {
                switch error.errno {
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: stop accepting for a moment
                    // instead of spinning on a listener that stays readable.
                    server.logger.error("accept on \(listener.socket.localAddress) paused for 100 ms: \(error)")
                    removeListener(listener.socket.fd)
                    pausedListeners.append((listener, MonotonicClock.nanoseconds() + 100_000_000))
                default:
                    // ECONNABORTED and the like: that one client is gone.
                    break
                }
                return
            }
            guard server.admitConnection() else {
                server.refuseConnection(fd)
                continue
            }
            _ = try? SystemCall.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1, "setsockopt(TCP_NODELAY)")
            let target = server.nextLoop()
            let handler = listener.handler
            if target === self {
                adopt(fd, handler: handler)
            } else {
                target.execute { [target] in target.adopt(fd, handler: handler) }
            }
        }
    }

    /// Takes ownership of an accepted descriptor.
    func adopt(_ fd: Int32, handler: any HTTPHandler) {
        if shuttingDown {
            SystemCall.close(fd)
            server.connectionDidClose()
            return
        }
        let connection = Connection(fd: fd, loop: self, handler: handler)
        connections[fd] = connection
        do {
            try SystemCall.epollControl(epoll, EPOLL_CTL_ADD, fd, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
        } catch {
            server.logger.error("cannot watch a new connection: \(error)")
            connection.close()
        }
    }

    func connectionDidClose(_ fd: Int32) {
        connections.removeValue(forKey: fd)
        server.connectionDidClose()
    }

    // MARK: - Deadlines and shutdown

    private func checkDeadlines(_ now: Int64) {
        if !pausedListeners.isEmpty && !shuttingDown {
            let ready = pausedListeners.filter { $0.resumeAt <= now }
            pausedListeners.removeAll { $0.resumeAt <= now }
            for entry in ready { addListener(entry.listener) }
        }
        for connection in Array(connections.values) {
            connection.checkDeadlines(now)
        }
    }

    /// Stops accepting, closes idle connections, and lets the others finish
    /// the requests they have started.
    func beginShutdown() {
        shuttingDown = true
        for (fd, listener) in listeners {
            removeListener(fd)
            listener.socket.close()
        }
        for entry in pausedListeners { entry.listener.socket.close() }
        pausedListeners.removeAll()
        for connection in Array(connections.values) {
            connection.beginShutdown()
        }
    }

    /// Closes every connection now (the grace period is over).
    func forceClose() {
        shuttingDown = true
        for connection in Array(connections.values) {
            connection.close()
        }
        stopped = true
    }
}

