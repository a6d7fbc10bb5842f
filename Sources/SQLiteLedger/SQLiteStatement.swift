import CSQLite
import Ledger

/// A prepared statement: bind, step, read columns, reset. Owned by one
/// `SQLiteDatabase` and used only on that database's thread. On a row, it
/// is the row (`SQLRow`) the ledger's shared decoding reads.
public final class SQLiteStatement: SQLRow {
    let handle: OpaquePointer
    let sql: String
    unowned let database: SQLiteDatabase

    init(database: SQLiteDatabase, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw SQLiteError(database.handle, code: code, sql: sql) }
        self.handle = statement
        self.sql = sql
        self.database = database
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds values to `?1`, `?2`, … in order, after a reset.
    @discardableResult
    public func bind(_ values: [SQLValue]) throws(SQLiteError) -> SQLiteStatement {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(handle, index)
            case .integer(let number):
                code = sqlite3_bind_int64(handle, index, number)
            case .text(let text):
                var text = text
                code = text.withUTF8 { bytes in
                    bytes.withMemoryRebound(to: CChar.self) {
                        notifyd_sqlite3_bind_text_transient(handle, index, $0.baseAddress, Int32($0.count))
                    }
                }
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { notifyd_sqlite3_bind_blob_transient(handle, index, $0.baseAddress, Int32($0.count)) }
            }
            guard code == SQLITE_OK else { throw SQLiteError(database.handle, code: code, sql: sql) }
        }
        return self
    }

    /// Advances; true when a row is available.
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError(database.handle, code: sqlite3_extended_errcode(database.handle), sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs a statement that returns no rows; returns the rows changed.
    @discardableResult
    public func run(_ values: [SQLValue] = []) throws(SQLiteError) -> Int {
        try bind(values)
        while try step() {}
        sqlite3_reset(handle)
        return Int(sqlite3_changes(database.handle))
    }

    /// Runs a query and maps every row.
    public func rows<T>(_ values: [SQLValue] = [], _ map: (SQLiteStatement) throws -> T) throws -> [T] {
        try bind(values)
        defer { sqlite3_reset(handle) }
        var result: [T] = []
        while try step() { result.append(try map(self)) }
        return result
    }

    /// Runs a query and maps its first row, if any.
    public func firstRow<T>(_ values: [SQLValue] = [], _ map: (SQLiteStatement) throws -> T) throws -> T? {
        try bind(values)
        defer { sqlite3_reset(handle) }
        return try step() ? try map(self) : nil
    }

    public func isNull(_ column: Int) -> Bool {
        sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL
    }

    public func int(_ column: Int) -> Int64 {
        sqlite3_column_int64(handle, Int32(column))
    }

    public func bool(_ column: Int) -> Bool {
        int(column) != 0
    }

    public func text(_ column: Int) -> String {
        guard let pointer = sqlite3_column_text(handle, Int32(column)) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}

