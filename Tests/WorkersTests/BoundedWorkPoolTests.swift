import Foundation
import Testing
import Workers

@Suite struct BoundedWorkPoolTests {
    @Test func workBeyondTheThreadsAndTheQueueIsRefusedAtOnce() {
        let pool = BoundedWorkPool(name: "test-pool", threads: 2, queueLimit: 1)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for _ in 0..<3 {
            done.enter()
            #expect(pool.submit { release.wait(); done.leave() })
        }
        let started = Date()
        #expect(!pool.submit {}, "two running and one waiting: full")
        #expect(Date().timeIntervalSince(started) < 0.1)
        #expect(pool.load == 3)
        for _ in 0..<3 { release.signal() }
        done.wait()
        #expect(pool.submit {})
        pool.stop()
        #expect(!pool.submit {}, "a stopped pool takes nothing")
    }

    @Test func stopLetsWhatWasSubmittedFinish() {
        let pool = BoundedWorkPool(name: "test-pool", threads: 1, queueLimit: 4)
        let count = Count()
        for _ in 0..<5 { #expect(pool.submit { usleep(20_000); count.add() }) }
        pool.stop()
        #expect(count.value == 5)
    }
}

private final class Count: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
