/// A database connection as the ledger's shared code uses it: statements
/// written once in PostgreSQL's `$n` form, rendered for the connection's
/// dialect and prepared once per connection.
///
/// Owned by one thread at a time, like the connection under it.
public protocol SQLConnection: AnyObject {
    associatedtype Row: SQLRow

    var dialect: SQLDialect { get }

    /// Runs a statement that returns no rows; returns the rows it changed.
    @discardableResult
    func run(_ statement: SQLStatement, _ values: [SQLValue]) throws -> Int

    /// Runs a query and decodes every row.
    func rows<T>(_ statement: SQLStatement, _ values: [SQLValue], _ decode: (Row) throws -> T) throws -> [T]

    /// Runs a query and decodes its first row, if there is one.
    func firstRow<T>(_ statement: SQLStatement, _ values: [SQLValue], _ decode: (Row) throws -> T) throws -> T?

    /// Runs SQL without parameters, several statements allowed (schema changes).
    func execute(_ sql: String) throws

    /// Runs `body` in one transaction, GRDB's way: committed when it
    /// returns; when it throws, rolled back if a transaction is still open,
    /// and the first error is rethrown.
    func inTransaction<T>(_ body: () throws -> T) throws -> T
}

extension SQLConnection {
    /// Text put together at run time (cached by its text).
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        try run(.dynamic(sql), values)
    }

    /// Text put together at run time (cached by its text).
    public func rows<T>(_ sql: String, _ values: [SQLValue] = [], _ decode: (Row) throws -> T) throws -> [T] {
        try rows(.dynamic(sql), values, decode)
    }

    /// The first column of the first row as an integer (0 without a row).
    public func scalarInt(_ sql: String, _ values: [SQLValue] = []) throws -> Int64 {
        try firstRow(.dynamic(sql), values, { $0.int(0) }) ?? 0
    }
}

/// How a statement written once is spelled for one database.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// `$n::boolean` and `$n::text` become `?n` for SQLite; PostgreSQL
    /// takes the text as it is.
    public func render(_ sql: String) -> String {
        guard self == .sqlite else { return sql }
        return SQLParameters.rewrite(sql.replacing("::boolean", with: "").replacing("::text", with: "")) { "?\($0)" }
    }
}
