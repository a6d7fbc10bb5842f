import CLibPQ
import Ledger

/// One libpq connection, with statements prepared once per connection.
/// Used by one thread at a time (the ledger writer owns one).
public final class PostgresConnection: SQLConnection {
    private let handle: OpaquePointer
    /// Statements made at run time, by their text.
    private var prepared: [String: String] = [:]
    /// The statements of `static let`s, by their slot.
    private var slotNames: [String?] = []
    private var preparedCount = 0

    /// Connects with a libpq connection string: a `postgres://` URL or the
    /// `host=… dbname=…` keyword form.
    init(_ connectionString: String) throws {
        guard let handle = PQconnectdb(connectionString) else {
            throw PostgresError(sqlState: nil, message: "out of memory", operation: "connect", connectionLost: true)
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(sqlState: nil, message: message, operation: "connect", connectionLost: true)
        }
        self.handle = handle
        // Server notices (such as "relation already exists, skipping") are not errors.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit {
        PQfinish(handle)
    }

    var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    public var dialect: SQLDialect { .postgres }

    @discardableResult
    public func run(_ statement: SQLStatement, _ values: [SQLValue]) throws -> Int {
        try query(statement, values).affected
    }

    public func rows<T>(_ statement: SQLStatement, _ values: [SQLValue], _ decode: (PostgresRow) throws -> T) throws -> [T] {
        let rows = try query(statement, values)
        return try (0..<rows.count).map { try decode(PostgresRow(rows: rows, index: $0)) }
    }

    public func firstRow<T>(_ statement: SQLStatement, _ values: [SQLValue], _ decode: (PostgresRow) throws -> T) throws -> T? {
        let rows = try query(statement, values)
        return rows.count > 0 ? try decode(PostgresRow(rows: rows, index: 0)) : nil
    }

    /// Runs `body` in `BEGIN … COMMIT`. A transaction that lost a deadlock
    /// or a serialization race is rolled back and run again (a few times);
    /// any other error rolls back, unless the connection is gone, and is
    /// rethrown.
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                try execute("BEGIN")
                let result = try body()
                try execute("COMMIT")
                return result
            } catch {
                if !isBroken && PQtransactionStatus(handle) != PQTRANS_IDLE { try? execute("ROLLBACK") }
                attempt += 1
                if let conflict = error as? PostgresError, conflict.isRetryableConflict, !isBroken, attempt < 5 { continue }
                throw error
            }
        }
    }

    /// Runs SQL without parameters (several statements allowed).
    public func execute(_ sql: String) throws {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, operation: String(sql.prefix(60)))
    }

    /// Runs a parameterized statement, prepared on first use. Text
    /// parameters; `.blob` values go in binary form (bytea).
    @discardableResult
    func query(_ statement: SQLStatement, _ values: [SQLValue] = []) throws -> PostgresRows {
        let sql = statement.text
        let name = try preparedName(statement, parameterCount: values.count)
        // Every parameter's bytes in one buffer (text NUL-terminated, bytea
        // by length), pointed into once: no allocation per value.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.reduce(0) { $0 + $1.encodedSizeEstimate })
        var offsets: [Int] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        offsets.reserveCapacity(values.count); lengths.reserveCapacity(values.count); formats.reserveCapacity(values.count)
        for value in values {
            switch value {
            case .null:
                offsets.append(-1); lengths.append(0); formats.append(0)
            case .integer(let number):
                offsets.append(bytes.count); lengths.append(0); formats.append(0)
                bytes.append(contentsOf: String(number).utf8); bytes.append(0)
            case .text(let text):
                offsets.append(bytes.count); lengths.append(0); formats.append(0)
                bytes.append(contentsOf: text.utf8); bytes.append(0)
            case .blob(let blob):
                offsets.append(bytes.count); lengths.append(Int32(blob.count)); formats.append(1)
                bytes.append(contentsOf: blob)
            }
        }
        let result: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                let pointers: [UnsafePointer<CChar>?] = offsets.map { $0 < 0 ? nil : UnsafePointer(characters.baseAddress! + $0) }
                return PQexecPrepared(handle, name, Int32(values.count), pointers, lengths, formats, 0)
            }
        }
        do {
            try check(result, operation: String(sql.prefix(80)))
        } catch {
            PQclear(result)
            throw error
        }
        return PostgresRows(result!)
    }

    /// The name `statement` is prepared under on this connection, preparing it on first use.
    private func preparedName(_ statement: SQLStatement, parameterCount: Int) throws -> String {
        if let slot = statement.slot, slot < slotNames.count, let name = slotNames[slot] { return name }
        if statement.slot == nil, let name = prepared[statement.text] { return name }
        let name = "s\(preparedCount)"
        let result = PQprepare(handle, name, statement.text, Int32(parameterCount), nil)
        defer { PQclear(result) }
        try check(result, operation: "prepare \(statement.text.prefix(60))")
        preparedCount += 1
        if let slot = statement.slot {
            if slot >= slotNames.count { slotNames += Array(repeating: nil, count: slot + 1 - slotNames.count) }
            slotNames[slot] = name
        } else {
            prepared[statement.text] = name
        }
        return name
    }

    private func check(_ result: OpaquePointer?, operation: @autoclosure () -> String) throws {
        guard let result else {
            throw PostgresError(sqlState: nil, message: String(cString: PQerrorMessage(handle)), operation: operation(), connectionLost: isBroken)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = String(cString: PQresultErrorMessage(result))
            throw PostgresError(sqlState: state, message: message, operation: operation(), connectionLost: isBroken)
        }
    }
}

/// One row of a result, as the shared decoding reads it.
public struct PostgresRow: SQLRow {
    let rows: PostgresRows
    let index: Int

    public func isNull(_ column: Int) -> Bool { rows.isNull(index, column) }
    public func int(_ column: Int) -> Int64 { rows.int(index, column) }
    public func text(_ column: Int) -> String { rows.text(index, column) }
    public func bool(_ column: Int) -> Bool { rows.text(index, column) == "t" }
}

/// The rows of one result, read as text.
final class PostgresRows {
    private let result: OpaquePointer

    init(_ result: OpaquePointer) {
        self.result = result
    }

    deinit {
        PQclear(result)
    }

    var count: Int { Int(PQntuples(result)) }
    /// Rows changed by an INSERT/UPDATE/DELETE.
    var affected: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(result, Int32(row), Int32(column)) == 1 }

    func text(_ row: Int, _ column: Int) -> String {
        String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    func int(_ row: Int, _ column: Int) -> Int64 { Int64(text(row, column)) ?? 0 }
}

extension SQLValue {
    /// About the bytes a value takes as a parameter (to size one buffer for all).
    var encodedSizeEstimate: Int {
        switch self {
        case .null: return 0
        case .integer: return 21
        case .text(let text): return text.utf8.count + 1
        case .blob(let bytes): return bytes.count
        }
    }
}
