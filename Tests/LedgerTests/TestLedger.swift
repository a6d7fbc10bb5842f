import AlipayNotify
@testable import Ledger
@testable import PostgresLedger
@testable import SQLiteLedger
import TestSupport

/// The two stores every shared ledger test runs against.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres
    var description: String { rawValue }
}

/// A fresh store of one kind, and a way to ask it SQL that both dialects share.
struct TestLedger {
    let store: any LedgerStore
    let directory: TemporaryDirectory
    let count: (String) throws -> Int64
    /// Runs one statement on the store's own connection (to set a scene).
    let execute: (String) throws -> Void
    /// For opening a second store on the same ledger.
    let location: String

    init(_ kind: StoreKind) throws {
        directory = TemporaryDirectory("ledger-\(kind)")
        switch kind {
        case .sqlite:
            location = directory.file("ledger.db")
            let sqlite = try SQLiteLedgerStore(path: location)
            store = sqlite
            count = { try sqlite.database.scalarInt($0) }
            execute = { try sqlite.database.execute($0) }
        case .postgres:
            location = try PostgresServer.shared.makeDatabase()
            let postgres = PostgresLedgerStore(connectionString: location)
            try postgres.connect()
            store = postgres
            count = { try postgres.scalarInt($0) }
            execute = { sql in _ = try postgres.inTransaction { try $0.run(sql, []) } }
        }
    }

    /// Another store on the same ledger (another connection, or another daemon).
    func reopen() throws -> any LedgerStore {
        try Self.open(location)
    }

    static func open(_ location: String) throws -> any LedgerStore {
        if location.hasPrefix("postgres") {
            let postgres = PostgresLedgerStore(connectionString: location)
            try postgres.connect()
            return postgres
        }
        return try SQLiteLedgerStore(path: location)
    }

    func addOrders(_ orders: [(String, Int64, String?)]) throws {
        for (outTradeNo, total, business) in orders {
            try store.addOrder(MerchantOrder(outTradeNo: outTradeNo, totalAmount: Fen(total), businessOrder: business))
        }
    }
}
