import Foundation

/// A reading connection of its own, on a thread of its own: what an
/// operator reads (a trade's story, lists of orders and events, the gauges
/// of a scrape) neither waits between the writer's batches nor holds the
/// writer's connection, and no event loop waits for it.
///
/// In WAL mode an SQLite reader sees the last committed state and takes no
/// lock a writer waits for; a PostgreSQL reader is one more connection.
/// Writes through it are refused by the database (`query_only`).
public final class LedgerReader: @unchecked Sendable {
    private let store: any LedgerStore
    private let queue: DispatchQueue

    /// Takes ownership of `store`: only the reader's thread uses it.
    public init(store: any LedgerStore, name: String = "ledger-reader") {
        self.store = store
        queue = DispatchQueue(label: name)
    }

    /// Runs `work` with the reading connection and calls `completion` with
    /// its result, both on the reader's thread.
    public func read<T: Sendable>(_ work: @escaping @Sendable (any LedgerStore) throws -> T,
                                  completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        queue.async { [self] in completion(Result { try work(store) }) }
    }

    /// `read`, waiting for the result (for threads that may block).
    public func readAndWait<T: Sendable>(_ work: @escaping @Sendable (any LedgerStore) throws -> T) throws -> T {
        try queue.sync { try work(store) }
    }
}
