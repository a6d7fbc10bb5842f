import Foundation
import Ledger

/// A failed PostgreSQL call: the SQLSTATE (when the server sent one), the
/// server's message, and what the project was doing. Bound values are never
/// included.
public struct PostgresError: WriteLockError, Sendable, CustomStringConvertible {
    public let sqlState: String?
    public let message: String
    public let operation: String
    /// The connection itself is gone (server restarted, network, shut down).
    public let connectionLost: Bool

    init(sqlState: String?, message: String, operation: String, connectionLost: Bool) {
        self.sqlState = sqlState
        self.message = message.asOneLine
        self.operation = operation
        self.connectionLost = connectionLost || (sqlState.map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P02" || $0 == "57P03" } ?? false)
    }

    /// A conflict between concurrent transactions that a retry resolves
    /// (serialization failure, deadlock).
    public var isRetryableConflict: Bool {
        sqlState == "40001" || sqlState == "40P01"
    }

    /// Without a connection no lock can be taken, and every attempt until
    /// one is made again fails alike (each reconnect may wait its
    /// `connect_timeout`).
    public var isWriteLockUnavailable: Bool { connectionLost }

    public var description: String {
        var text = "PostgreSQL"
        if let sqlState { text += " \(sqlState)" }
        return text + " during \(operation): \(message)"
    }
}

extension String {
    /// libpq's messages span lines ("…failed: Connection refused\n\tIs the
    /// server running…"); a log line must not.
    var asOneLine: String {
        split(whereSeparator: { $0.isNewline || $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}
