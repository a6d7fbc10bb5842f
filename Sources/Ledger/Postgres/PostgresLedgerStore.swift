import AlipayNotify
import Foundation

/// The ledger in PostgreSQL, for several daemons behind a load balancer
/// sharing one database. Exactly-once holds across them through the
/// database alone: unique keys, per-order advisory locks, and retries of
/// transactions that lost a deadlock or serialization race.
///
/// It connects lazily and reconnects by itself: while the database is away
/// every call throws (the writer answers 503) and the next call tries again.
/// Commits are durable when they return (`synchronous_commit` on).
public final class PostgresLedgerStore: LedgerStore {
    public let connectionString: String
    private var connection: PostgresConnection?
    private var lastAttempt: Date?
    private var failures = 0
    private var lastFailure = ""
    private let reconnectBackoffMaximum: Double

    /// Does not connect yet (see `connect()`). Unless the connection string
    /// sets its own, a connection attempt gives up after 5 seconds and a
    /// silent peer is noticed by TCP keepalives within about a minute.
    public init(connectionString: String, reconnectBackoffMaximum: Double = 5) {
        self.connectionString = Self.withDefaults(connectionString)
        self.reconnectBackoffMaximum = reconnectBackoffMaximum
    }

    /// `text` without a password, for logs.
    public static func redacted(_ text: String) -> String {
        text.replacing(/:[^:@\/]*@/, with: ":***@").replacing(/password\s*=\s*\S+/, with: "password=***")
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

    /// Runs `body` in a transaction; retries a deadlock or serialization
    /// failure a few times; a lost connection is dropped (the next call reconnects).
    func inTransaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            let connection = try live()
            do {
                try connection.execute("BEGIN")
                let result = try body(connection)
                try connection.execute("COMMIT")
                return result
            } catch let error as PostgresError {
                if connection.isBroken || error.connectionLost {
                    self.connection = nil
                    throw error
                }
                try? connection.execute("ROLLBACK")
                attempt += 1
                if error.isRetryableConflict && attempt < 5 { continue }
                throw error
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    public var durabilityBarrier: (@Sendable () throws -> Void)? { nil }

    public func record(_ batch: [LedgerSubmission], policy: LedgerPolicy) throws -> [LedgerOutcome] {
        let recorder = NotificationRecorder(policy: policy)
        return try BatchRecording.record(batch, databaseUnavailable: { ($0 as? PostgresError)?.connectionLost ?? false }) { batch in
            try inTransaction { connection in
                let transaction = PostgresLedgerTransaction(connection: connection)
                // Take the per-order locks in one global order, so that two
                // daemons' batches never wait on each other in a circle.
                let order = try lockOrder(batch, connection)
                var outcomes = [LedgerOutcome?](repeating: nil, count: batch.count)
                for index in order {
                    outcomes[index] = try recorder.apply(batch[index], in: transaction)
                }
                return outcomes.map { $0! }
            }
        }
    }

    /// Indices of `batch` sorted by the advisory lock each will take.
    private func lockOrder(_ batch: [LedgerSubmission], _ connection: PostgresConnection) throws -> [Int] {
        var tradeNumbers: [String] = []
        for submission in batch {
            if case .notification(let accepted) = submission { tradeNumbers.append(accepted.notification.outTradeNo) }
        }
        var businessOrders: [String: String] = [:]
        if !tradeNumbers.isEmpty {
            let list = "{" + tradeNumbers.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
                .joined(separator: ",") + "}"
            let rows = try connection.query("SELECT out_trade_no, business_order FROM orders WHERE out_trade_no = ANY($1::text[]) AND business_order IS NOT NULL",
                                            [.text(list)])
            for row in 0..<rows.count { businessOrders[rows.text(row, 0)] = rows.text(row, 1) }
        }
        func key(_ index: Int) -> String {
            guard case .notification(let accepted) = batch[index] else { return "" }
            let outTradeNo = accepted.notification.outTradeNo
            return PostgresLedgerTransaction.lockKey(outTradeNo: outTradeNo, businessOrder: businessOrders[outTradeNo])
        }
        return batch.indices.sorted { key($0) < key($1) || (key($0) == key($1) && $0 < $1) }
    }

    @discardableResult
    public func addOrder(_ order: MerchantOrder) throws -> Bool {
        try MerchantOrder.validate(outTradeNo: order.outTradeNo, businessOrder: order.businessOrder)
        return try inTransaction { connection in
            let inserted = try connection.query("""
                INSERT INTO orders(out_trade_no, total_fen, business_order, created_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (out_trade_no) DO NOTHING
                """, [.text(order.outTradeNo), .integer(order.totalAmount.value), .optional(order.businessOrder), .text(order.createdAt)])
            if inserted.affected == 1 { return true }
            let existing = try PostgresLedgerTransaction(connection: connection).order(order.outTradeNo)!
            guard existing.totalAmount == order.totalAmount, existing.businessOrder == order.businessOrder else {
                throw OrderError.conflict(existing: existing)
            }
            return false
        }
    }

    public func order(_ outTradeNo: String) throws -> MerchantOrder? {
        try PostgresLedgerTransaction(connection: live()).order(outTradeNo)
    }

    public func orders(limit: Int) throws -> [MerchantOrder] {
        let rows = try live().query("SELECT out_trade_no, total_fen, business_order, created_at FROM orders ORDER BY created_at DESC, out_trade_no LIMIT $1",
                                    [.integer(Int64(limit))])
        return (0..<rows.count).map { PostgresLedgerTransaction.readOrder(rows, $0) }
    }

    public var isShared: Bool { true }

    public func probeWrite(instance: String) throws {
        _ = try inTransaction { connection in
            try connection.query("""
                INSERT INTO readiness_probe(instance, probed_at) VALUES ($1, $2)
                ON CONFLICT (instance) DO UPDATE SET probed_at = excluded.probed_at
                """, [.text(instance), .text(Timestamp.now())])
        }
    }
}

extension PostgresLedgerStore {
    /// The first column of the first row of `sql` as an integer (tests and checks).
    func scalarInt(_ sql: String) throws -> Int64 {
        try inTransaction { connection in
            let rows = try connection.query(sql)
            return rows.count > 0 ? rows.int(0, 0) : 0
        }
    }
}
