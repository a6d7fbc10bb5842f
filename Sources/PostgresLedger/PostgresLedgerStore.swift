import AlipayNotify
import Foundation
import Ledger

/// The ledger in PostgreSQL, for several daemons behind a load balancer
/// sharing one database. Exactly-once holds across them through the
/// database alone: unique keys, per-order advisory locks, and retries of
/// transactions that lost a deadlock or serialization race.
///
/// It connects lazily and reconnects by itself: while the database is away
/// every call throws (the writer answers 503) and the next call tries again.
/// Commits are durable when they return (`synchronous_commit` on).
public final class PostgresLedgerStore: SQLLedgerStore {
    public let connectionString: String
    private var connection: PostgresConnection?
    private var lastAttempt: Date?
    private var failures = 0
    private var lastFailure = ""
    /// The last transaction on this store committed (reads included).
    private var lastTransactionSucceeded = false
    private let reconnectBackoffMaximum: Double

    /// Does not connect yet (see `connect()`). Unless the connection string
    /// sets its own, a connection attempt gives up after 5 seconds and a
    /// silent peer is noticed by TCP keepalives within about a minute.
    public init(connectionString: String, reconnectBackoffMaximum: Double = 5) {
        self.connectionString = Self.withDefaults(connectionString)
        self.reconnectBackoffMaximum = reconnectBackoffMaximum
    }

    /// The connection string with the daemon's defaults for what it leaves unset.
    static func withDefaults(_ text: String) -> String {
        let defaults = [("connect_timeout", "5"), ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3"),
                        ("application_name", "alipay-notifyd")]
        let missing = defaults.filter { !text.contains($0.0 + "=") }
        guard !missing.isEmpty else { return text }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            let parameters = missing.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            return text + (text.contains("?") ? "&" : "?") + parameters
        }
        return text + " " + missing.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// Connects (and migrates) unless connected; throws while the database
    /// is unreachable, without retrying faster than the backoff allows.
    @discardableResult
    public func connect() throws -> Bool {
        if let connection, !connection.isBroken { return false }
        connection = nil
        if let lastAttempt, failures > 0 {
            let wait = min(reconnectBackoffMaximum, 0.1 * pow(2, Double(min(failures, 10))))
            let since = Date().timeIntervalSince(lastAttempt)
            if since < wait {
                throw PostgresError(sqlState: nil, message: "not connected; next attempt in \(String(format: "%.1f", wait - since)) s; the last one failed: \(lastFailure)",
                                    operation: "reconnect", connectionLost: true)
            }
        }
        lastAttempt = Date()
        do {
            let fresh = try PostgresConnection(connectionString)
            try PostgresSchema.migrate(fresh)
            connection = fresh
            failures = 0
            return true
        } catch {
            failures += 1
            lastFailure = (error as? PostgresError)?.message ?? "\(error)"
            throw error
        }
    }

    private func live() throws -> PostgresConnection {
        try connect()
        return connection!
    }

    /// Runs `body` in a transaction (see `PostgresConnection.inTransaction`
    /// for the retries); a lost connection is dropped, and the next call reconnects.
    public func inTransaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        lastTransactionSucceeded = false
        let connection = try live()
        do {
            let result = try connection.inTransaction { try body(connection) }
            lastTransactionSucceeded = true
            return result
        } catch {
            if connection.isBroken || ((error as? PostgresError)?.connectionLost ?? false) { self.connection = nil }
            throw error
        }
    }

    /// Reads run in a transaction too: one snapshot for all of them.
    public func reading<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try inTransaction(body)
    }

    public var durabilityBarrier: (@Sendable () throws -> Void)? { nil }

    /// Only while connected and the last transaction committed: a caller
    /// must never be the one that finds the connection gone and waits for
    /// a reconnect (up to `connect_timeout`).
    public var admitsCallerCommits: Bool {
        guard lastTransactionSucceeded, let connection else { return false }
        return !connection.isBroken
    }

    /// Records on the live connection, or returns nil (nothing tried) when
    /// a caller may not commit now (`admitsCallerCommits`).
    public func recordWithoutWaiting(_ batch: [LedgerSubmission]) throws -> [LedgerOutcome]? {
        guard admitsCallerCommits else { return nil }
        return try record(batch)
    }

    /// Records a batch with a dozen statements, whatever its size (see
    /// `SetBasedRecorder`): a daemon on a database across the network waits
    /// for round trips.
    public func record(_ batch: [LedgerSubmission]) throws -> [LedgerOutcome] {
        try BatchRecording.record(batch, databaseUnavailable: { ($0 as? PostgresError)?.connectionLost ?? false }) { batch in
            try inTransaction { connection in try SetBasedRecorder.record(batch, on: connection) }
        }
    }

    /// Several daemons may share a PostgreSQL ledger.
    public var isShared: Bool { true }
}

extension PostgresLedgerStore {
    /// The first column of the first row of `sql` as an integer (tests and checks).
    func scalarInt(_ sql: String) throws -> Int64 {
        try reading { try $0.scalarInt(sql) }
    }
}
