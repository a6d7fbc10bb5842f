import AlipayNotify
import CSQLite

/// The embedded ledger: one SQLite file in WAL mode with `synchronous=FULL`.
public final class SQLiteLedgerStore: LedgerStore {
    let database: SQLiteDatabase

    /// Opens (creating it if needed) and migrates the ledger at `path`. A
    /// write that finds the file locked by another process waits up to
    /// `busyTimeoutMilliseconds` before it fails (and is answered 503).
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws {
        database = try SQLiteDatabase(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        try SQLiteSchema.migrate(database)
    }

    public var path: String { database.path }

    public func record(_ batch: [LedgerSubmission], policy: LedgerPolicy) throws -> [LedgerOutcome] {
        let recorder = NotificationRecorder(policy: policy)
        let transaction = SQLiteLedgerTransaction(database: database)
        try database.statement("BEGIN IMMEDIATE").run()
        var outcomes: [LedgerOutcome] = []
        outcomes.reserveCapacity(batch.count)
        do {
            for submission in batch {
                try database.statement("SAVEPOINT submission").run()
                do {
                    let (outcome, rollBack) = try recorder.apply(submission, in: transaction)
                    if rollBack { try database.statement("ROLLBACK TO submission").run() }
                    try database.statement("RELEASE submission").run()
                    outcomes.append(outcome)
                } catch let error as SQLiteError where !database.inTransaction {
                    throw error // SQLite rolled the whole transaction back (I/O error, disk full)
                } catch {
                    try database.statement("ROLLBACK TO submission").run()
                    try database.statement("RELEASE submission").run()
                    outcomes.append(.unavailable("\(error)"))
                }
            }
            try database.statement("COMMIT").run()
        } catch {
            if database.inTransaction { try? database.execute("ROLLBACK") }
            throw error
        }
        return outcomes
    }

    @discardableResult
    public func addOrder(_ order: MerchantOrder) throws -> Bool {
        try MerchantOrder.validate(outTradeNo: order.outTradeNo, businessOrder: order.businessOrder)
        return try database.transaction {
            if let existing = try self.order(order.outTradeNo) {
                guard existing.totalAmount == order.totalAmount, existing.businessOrder == order.businessOrder else {
                    throw OrderError.conflict(existing: existing)
                }
                return false
            }
            try database.statement("INSERT INTO orders(out_trade_no, total_fen, business_order, created_at) VALUES (?1, ?2, ?3, ?4)")
                .run([.text(order.outTradeNo), .integer(order.totalAmount.value), .optional(order.businessOrder), .text(order.createdAt)])
            return true
        }
    }

    public func order(_ outTradeNo: String) throws -> MerchantOrder? {
        try SQLiteLedgerTransaction(database: database).order(outTradeNo)
    }

    public func orders(limit: Int) throws -> [MerchantOrder] {
        try database.statement("SELECT out_trade_no, total_fen, business_order, created_at FROM orders ORDER BY created_at DESC, out_trade_no LIMIT ?1")
            .rows([.integer(Int64(limit))], SQLiteLedgerTransaction.readOrder)
    }
}

extension SQLiteDatabase {
    /// True while a transaction is open (SQLite may roll one back by itself
    /// after an I/O error or a full disk).
    var inTransaction: Bool {
        sqlite3_get_autocommit(handle) == 0
    }
}
