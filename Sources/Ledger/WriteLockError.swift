/// An error of a store that can tell that the ledger's write lock could not
/// be had at all, as opposed to one transaction failing.
///
/// The writer needs the difference: after such a failure every other
/// submission tried now would wait just as long and fail the same way, so
/// everything queued behind the attempt is answered 503 at once instead of
/// each after a wait of its own.
public protocol WriteLockError: Error {
    /// Nothing was written because the write lock was not available: held
    /// by another connection past the busy timeout (SQLite), or no
    /// connection to take it on (PostgreSQL: lost, or a reconnect failed).
    var isWriteLockUnavailable: Bool { get }
}

extension Error {
    /// Whether this error says the ledger's write lock could not be had (see `WriteLockError`).
    var meansWriteLockUnavailable: Bool {
        (self as? any WriteLockError)?.isWriteLockUnavailable ?? false
    }
}
