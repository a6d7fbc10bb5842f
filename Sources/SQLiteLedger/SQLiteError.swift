import CSQLite
import Ledger

/// A failed SQLite call: the result code, SQLite's message and the SQL it
/// ran (bound values are never included: they may be payment data).
public struct SQLiteError: WriteLockError, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let sql: String?

    init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    init(_ handle: OpaquePointer?, code: Int32, sql: String? = nil) {
        let message = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        self.init(code: code, message: message, sql: sql)
    }

    /// The primary result code (the low byte of an extended code).
    public var primaryCode: Int32 { code & 0xFF }

    /// The disk is full, the file is read-only or locked, or I/O failed:
    /// conditions that pass, after which the daemon recovers by itself.
    public var isTransient: Bool {
        [SQLITE_FULL, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN].contains(primaryCode)
    }

    /// Another connection (another process) holds the write lock: SQLite
    /// waited the busy timeout for it, or was told not to wait.
    public var isWriteLockUnavailable: Bool { primaryCode == SQLITE_BUSY }

    public var description: String {
        var text = "SQLite error \(code) (\(String(cString: sqlite3_errstr(code)))): \(message)"
        if let sql { text += " [in: \(sql.prefix(120))]" }
        return text
    }
}
