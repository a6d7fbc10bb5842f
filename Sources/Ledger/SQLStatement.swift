import Synchronization

/// A statement written once in PostgreSQL's `$n` form, with the number of
/// its slot in each connection's cache of prepared statements: finding it
/// again costs an array index, not the hashing of its text (which, for the
/// handful of statements one notification runs, cost more than the
/// statements' own bookkeeping).
///
/// Make one with `init(_:)` only in a `static let` (each takes a slot for
/// good); text put together at run time goes through `dynamic(_:)`, cached
/// by its text.
public struct SQLStatement: Sendable, CustomStringConvertible {
    public let text: String
    /// Nil for a statement made at run time.
    public let slot: Int?

    private static let slots = Atomic<Int>(0)

    public init(_ text: String) {
        self.text = text
        slot = Self.slots.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    private init(dynamic text: String) {
        self.text = text
        slot = nil
    }

    /// A statement whose text was put together at run time.
    public static func dynamic(_ text: String) -> SQLStatement {
        SQLStatement(dynamic: text)
    }

    public var description: String { text }
}
