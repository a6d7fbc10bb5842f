import Foundation

/// Runs `body` for `0..<count` at once, each on a thread of its own, and
/// returns the results in index order once all have finished. For blocking
/// calls whose concurrency is under test: Swift's task groups run at most
/// one blocking task per core.
public func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    let results = Results<T>(count: count)
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            results.set(index, Result { try body(index) })
            group.leave()
        }.start()
    }
    group.wait()
    return try results.values()
}

private final class Results<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<T, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<T, any Error>) { lock.withLock { slots[index] = result } }

    func values() throws -> [T] { try lock.withLock { try slots.map { try $0!.get() } } }
}
