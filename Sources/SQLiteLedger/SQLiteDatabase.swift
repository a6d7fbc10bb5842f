import CSQLite
#if canImport(Glibc)
import Glibc
import Ledger
#endif

/// One SQLite connection with its prepared statements. Not thread-safe by
/// design: the ledger writer owns one on its thread, and every other user
/// (a CLI command, the admin listener) opens its own.
public final class SQLiteDatabase: SQLConnection {
    let handle: OpaquePointer
    public let path: String
    /// How long a write waits for another connection's write lock.
    let busyTimeoutMilliseconds: Int32
    /// Statements made at run time, by their text.
    private var statements: [String: SQLiteStatement] = [:]
    /// The statements of `static let`s, by their slot.
    private var slots: [SQLiteStatement?] = []

    /// Opens (creating when allowed) the database at `path` in WAL mode with
    /// `synchronous=FULL`: a commit returns only after the WAL is on disk.
    public init(path: String, readOnly: Bool = false, create: Bool = true, busyTimeoutMilliseconds: Int32 = 5000) throws(SQLiteError) {
        var handle: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError(handle, code: code)
            if let handle { sqlite3_close_v2(handle) }
            throw SQLiteError(code: error.code, message: "cannot open '\(path)': \(error.message)")
        }
        self.handle = handle
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        // SQLite quietly opens a file it may not write read-only; every
        // write would then fail. Say so now, with the fix.
        if !readOnly && sqlite3_db_readonly(handle, "main") == 1 {
            sqlite3_close_v2(handle)
            throw SQLiteError(code: SQLITE_READONLY, message: "'\(path)' is read-only for this process (uid \(getuid())): give the daemon's user write access to the file and its directory (chown/chmod), or point --db elsewhere")
        }
        if !readOnly {
            let mode = try scalarText("PRAGMA journal_mode=WAL")
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: SQLITE_ERROR, message: "'\(path)' cannot use WAL journaling (got '\(mode ?? "nothing")'); put the database on a local file system")
            }
        }
        try execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
    }

    deinit {
        statements.removeAll()
        slots.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters.
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    public var dialect: SQLDialect { .sqlite }

    /// A prepared statement for `sql` (written in either form: `$n` is
    /// rendered as `?n`), prepared once and reused.
    public func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let statement = try SQLiteStatement(database: self, sql: SQLDialect.sqlite.render(sql))
        statements[sql] = statement
        return statement
    }

    /// The prepared form of `statement`, prepared once and reused.
    func prepared(_ statement: SQLStatement) throws(SQLiteError) -> SQLiteStatement {
        guard let slot = statement.slot else { return try self.statement(statement.text) }
        if slot < slots.count, let cached = slots[slot] { return cached }
        let prepared = try SQLiteStatement(database: self, sql: SQLDialect.sqlite.render(statement.text))
        if slot >= slots.count { slots += Array(repeating: nil, count: slot + 1 - slots.count) }
        slots[slot] = prepared
        return prepared
    }

    @discardableResult
    public func run(_ statement: SQLStatement, _ values: [SQLValue]) throws -> Int {
        try prepared(statement).run(values)
    }

    public func rows<T>(_ statement: SQLStatement, _ values: [SQLValue], _ decode: (SQLiteStatement) throws -> T) throws -> [T] {
        try prepared(statement).rows(values, decode)
    }

    public func firstRow<T>(_ statement: SQLStatement, _ values: [SQLValue], _ decode: (SQLiteStatement) throws -> T) throws -> T? {
        try prepared(statement).firstRow(values, decode)
    }

    public func scalarText(_ sql: String) throws(SQLiteError) -> String? {
        let statement = try SQLiteStatement(database: self, sql: sql)
        return try statement.step() ? statement.optionalText(0) : nil
    }

    /// Runs `body` in `BEGIN IMMEDIATE … COMMIT` (the write lock is taken
    /// at the start, so a busy database fails here rather than half-way).
    /// When it throws, rolls back if SQLite has not already (it may after an
    /// I/O error or a full disk), and rethrows the first error.
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try begin()
        do {
            let result = try body()
            try commit()
            return result
        } catch {
            rollback()
            throw error
        }
    }

    func begin() throws { try prepared(Self.begin).run() }

    /// `BEGIN IMMEDIATE` tried once, without the busy timeout: false, with
    /// no transaction open, when another connection holds the write lock.
    /// For a thread that must not wait on another process.
    func beginWithoutWaiting() throws -> Bool {
        sqlite3_busy_timeout(handle, 0)
        defer { sqlite3_busy_timeout(handle, busyTimeoutMilliseconds) }
        do {
            try begin()
            return true
        } catch let error as SQLiteError where error.isWriteLockUnavailable {
            return false
        }
    }

    func commit() throws { try prepared(Self.commit).run() }

    /// Rolls back the open transaction, if there is one.
    func rollback() {
        if isInTransaction { try? execute("ROLLBACK") }
    }

    static let begin = SQLStatement("BEGIN IMMEDIATE")
    static let commit = SQLStatement("COMMIT")

    /// True while a transaction is open.
    var isInTransaction: Bool {
        sqlite3_get_autocommit(handle) == 0
    }
}
