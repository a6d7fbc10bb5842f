import CLinux
import Foundation

/// A few threads for blocking work that a request starts (a refund's first
/// call to Alipay, closing earlier payment serials) and a bounded queue in
/// front of them: never an event loop, never the process's shared queues
/// (the signal handlers run there), and never without limit. When it is
/// full, `submit` says so at once and the caller answers "try again later".
public final class BoundedWorkPool: @unchecked Sendable {
    public let name: String
    public let threads: Int
    /// Work waiting for a thread, at most.
    public let queueLimit: Int
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var busy = 0
    private var running = true
    private var started = false
    private let stopped = DispatchSemaphore(value: 0)

    public init(name: String, threads: Int, queueLimit: Int) {
        self.name = name
        self.threads = max(1, threads)
        self.queueLimit = max(0, queueLimit)
    }

    /// Runs `work` on one of the pool's threads (started at the first
    /// submission); false, and nothing runs, when every thread is busy and
    /// the queue is full, or the pool has stopped.
    public func submit(_ work: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard running, busy + queue.count < threads + queueLimit else { return false }
        if !started {
            started = true
            for index in 0..<threads {
                let thread = Thread { [self] in loop(index) }
                thread.name = "\(name)-\(index)"
                thread.start()
            }
        }
        queue.append(work)
        condition.signal()
        return true
    }

    /// Work running or waiting now.
    public var load: Int { condition.withLock { busy + queue.count } }

    /// Lets the work already submitted finish, then ends the threads.
    public func stop() {
        condition.lock()
        running = false
        let wasStarted = started
        condition.broadcast()
        condition.unlock()
        if wasStarted { for _ in 0..<threads { stopped.wait() } }
    }

    private func loop(_ index: Int) {
        notifyd_set_thread_name("\(name)-\(index)")
        condition.lock()
        while true {
            while queue.isEmpty && running { condition.wait() }
            guard !queue.isEmpty else { break }
            let work = queue.removeFirst()
            busy += 1
            condition.unlock()
            work()
            condition.lock()
            busy -= 1
        }
        condition.unlock()
        stopped.signal()
    }
}
