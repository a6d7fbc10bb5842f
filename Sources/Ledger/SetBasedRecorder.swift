import AlipayNotify
import Locking

/// Records a whole batch on PostgreSQL with a fixed number of statements,
/// whatever its size: each read is one statement for the whole batch
/// (`= ANY($1::text[])`), the decisions are made in memory in batch order
/// (the same checks and the same state machine as `ObservationRecorder`,
/// an observation seeing what the earlier ones of the batch decided), and
/// each table is written by one multi-row statement. A daemon on a
/// database across the network waits for round trips, not for work: this
/// makes a batch of sixty about a dozen round trips instead of some four
/// hundred.
///
/// The rules are `ObservationRecorder`'s, and the shared ledger tests run
/// against both: the per-trade (or business order) advisory locks, taken in
/// one global order before the trades are read; a history row per
/// observation id (its unique key the duplicate check); a trade row written
/// only when it changed, its first shipment never overwritten; the events,
/// the business order's payer, the order settled, a duplicate payment's
/// refund request.
package enum SetBasedRecorder {
    package static func record<Connection: SQLConnection>(_ batch: [LedgerSubmission], on connection: Connection) throws -> [LedgerOutcome] {
        let now = Timestamp.now()
        let observations = batch.compactMap { submission -> AcceptedObservation? in
            if case .observation(let accepted) = submission { return accepted }
            return nil
        }
        let tradeNumbers = unique(observations.map(\.observation.outTradeNo))
        var orders: [String: MerchantOrder] = [:]
        var trades: [String: TradeRecord] = [:]
        var recorded = Set<HistoryKey>()
        var payers: [String: String] = [:]
        if !tradeNumbers.isEmpty {
            let list = textArray(tradeNumbers)
            for order in try connection.rows(Statements.orders, [list], LedgerRows.order) { orders[order.outTradeNo] = order }
            let keys = unique(tradeNumbers.map { LedgerReads.lockKey(outTradeNo: $0, businessOrder: orders[$0]?.businessOrder) }).sorted()
            _ = try connection.rows(Statements.lock, [textArray(keys)]) { _ in () }
            for trade in try connection.rows(Statements.trades, [list], LedgerRows.trade) { trades[trade.outTradeNo] = trade }
            let history = unique(observations.map { HistoryKey(outTradeNo: $0.observation.outTradeNo, id: $0.observation.source.id) })
            recorded = Set(try connection.rows(Statements.recorded, [textArray(history.map(\.outTradeNo)), textArray(history.map(\.id))]) {
                HistoryKey(outTradeNo: $0.text(0), id: $0.text(1))
            })
            let businessOrders = unique(tradeNumbers.compactMap { orders[$0]?.businessOrder })
            if !businessOrders.isEmpty {
                for (business, payer) in try connection.rows(Statements.payers, [textArray(businessOrders)], { ($0.text(0), $0.text(1)) }) {
                    payers[business] = payer
                }
            }
        }

        var writes = Writes()
        var outcomes: [LedgerOutcome] = []
        outcomes.reserveCapacity(batch.count)
        for submission in batch {
            switch submission {
            case .quarantine(let entry):
                writes.quarantine.append(entry)
                outcomes.append(.rejected(entry.reason))
            case .observation(let accepted):
                let observation = accepted.observation
                let outTradeNo = observation.outTradeNo
                let order = orders[outTradeNo]
                let key = HistoryKey(outTradeNo: outTradeNo, id: observation.source.id)
                if let rejection = accepted.rules.check(observation, against: order) {
                    if recorded.contains(key) {
                        outcomes.append(.duplicate)
                    } else {
                        writes.quarantine.append(QuarantineEntry(reason: rejection, accepted: accepted))
                        outcomes.append(.rejected(rejection))
                    }
                    continue
                }
                guard !recorded.contains(key) else {
                    outcomes.append(.duplicate)
                    continue
                }
                recorded.insert(key)
                let businessOrder = order?.businessOrder
                let payment = businessOrder.map { BusinessOrderPayment(id: $0, paidBy: payers[$0]) }
                let decision = TradeStateMachine.apply(observation, to: trades[outTradeNo], businessOrder: payment)
                writes.history.append(LedgerWrites.observationValues(accepted, decision: decision.summary))
                if let claimed = decision.claimsBusinessOrder {
                    payers[claimed] = outTradeNo
                    writes.payers.append([.text(claimed), .text(outTradeNo), .text(now)])
                }
                if decision.change == .updated {
                    trades[outTradeNo] = decision.trade
                    let shippedBy = decision.shipsNow ? observation.source : writes.trades[outTradeNo]?.shippedBy
                    if writes.trades[outTradeNo] == nil { writes.tradeOrder.append(outTradeNo) }
                    writes.trades[outTradeNo] = (decision.trade, businessOrder, shippedBy)
                }
                for event in decision.events {
                    writes.events.append(LedgerWrites.eventValues(event, source: observation.source, tradeNo: decision.trade.tradeNo,
                                                                  businessOrder: businessOrder, at: now))
                }
                if order != nil, let settled = ObservationRecorder.settledState(decision) {
                    writes.settled.append((outTradeNo, settled))
                }
                if accepted.rules.refundsDuplicatePayments, let payment, decision.events.contains(where: { $0.kind == .duplicatePayment }) {
                    writes.refunds.append(ObservationRecorder.duplicatePaymentRefund(observation, decision: decision, payment: payment, at: now))
                }
                outcomes.append(.recorded(decision))
            }
        }
        try writes.apply(on: connection, at: now)
        return outcomes
    }

    /// An observation in a trade's history: the key of `notifications_by_trade`.
    private struct HistoryKey: Hashable {
        let outTradeNo: String
        let id: String
    }

    /// The rows a batch writes, gathered in batch order.
    private struct Writes {
        var history: [[SQLValue]] = []
        var trades: [String: (record: TradeRecord, businessOrder: String?, shippedBy: ObservationSource?)] = [:]
        var tradeOrder: [String] = []
        var events: [[SQLValue]] = []
        var payers: [[SQLValue]] = []
        var quarantine: [QuarantineEntry] = []
        var settled: [(String, OrderState)] = []
        var refunds: [RefundRequest] = []

        func apply<Connection: SQLConnection>(on connection: Connection, at now: String) throws {
            if !history.isEmpty {
                let inserted = try connection.run(Statements.multiRow(LedgerWrites.insertObservation, rows: history.count), history.flatMap { $0 })
                // Under the trades' locks no other writer can have taken one of these ids.
                guard inserted == history.count else { throw SetBasedRecorderError.historyRaced(expected: history.count, inserted: inserted) }
            }
            if !payers.isEmpty {
                try connection.run(Statements.multiRow(LedgerWrites.insertPayer, rows: payers.count), payers.flatMap { $0 })
            }
            if !tradeOrder.isEmpty {
                let values = tradeOrder.flatMap { outTradeNo -> [SQLValue] in
                    let write = trades[outTradeNo]!
                    return LedgerWrites.tradeValues(write.record, businessOrder: write.businessOrder, shippedBy: write.shippedBy, at: now)
                }
                try connection.run(Statements.multiRow(LedgerWrites.upsertTrade, rows: tradeOrder.count), values)
            }
            if !events.isEmpty {
                try connection.run(Statements.multiRow(LedgerWrites.insertEvent, rows: events.count), events.flatMap { $0 })
            }
            let transaction = LedgerTransaction(connection: connection)
            // Rare: one statement each.
            for entry in quarantine { try transaction.quarantine(entry, at: now) }
            for (outTradeNo, state) in settled { try transaction.settleOrder(outTradeNo, as: state) }
            for request in refunds { try transaction.requestRefund(request) }
        }
    }

    /// The statements only this recorder uses (PostgreSQL's arrays).
    enum Statements {
        // One index lookup per key, whatever the tables' size: a prepared
        // statement runs a generic plan, and with `= ANY($1)` or a plain join
        // with unnest that plan turned to scanning `notifications` and
        // `trades` once they had grown (2.7 ms a batch and rising); a
        // LATERAL subquery with LIMIT is not flattened into such a join.
        static let orders = lookup(LedgerRows.orderColumns, from: "orders", key: "out_trade_no")
        static let trades = lookup(LedgerRows.tradeColumns, from: "trades", key: "out_trade_no")
        static let recorded = SQLStatement("""
            SELECT r.out_trade_no, r.notify_id FROM unnest($1::text[], $2::text[]) AS k(trade, id),
            LATERAL (SELECT out_trade_no, notify_id FROM notifications WHERE out_trade_no = k.trade AND notify_id = k.id LIMIT 1) AS r
            """)
        static let payers = lookup("business_order, out_trade_no", from: "business_order_payments", key: "business_order")

        static func lookup(_ columns: String, from table: String, key: String) -> SQLStatement {
            SQLStatement("""
                SELECT \(prefixed(columns, "r")) FROM unnest($1::text[]) AS k(key),
                LATERAL (SELECT \(columns) FROM \(table) WHERE \(key) = k.key LIMIT 1) AS r
                """)
        }

        /// `a, b` as `t.a, t.b`.
        static func prefixed(_ columns: String, _ table: String) -> String {
            columns.split(separator: ",").map { "\(table).\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }.joined(separator: ", ")
        }
        /// The advisory locks of `LedgerReads.lockTrade`, all in one statement, in the order given.
        static let lock = SQLStatement(
            "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n")

        /// `single`, a one-row `INSERT … VALUES (…)` written with `$1…$k`,
        /// for `rows` rows: the values clause repeated with its parameters
        /// renumbered, whatever follows it (`ON CONFLICT …`) kept.
        static func multiRow(_ single: SQLStatement, rows: Int) -> SQLStatement {
            guard rows > 1, let slot = single.slot else { return single }
            // Made once per statement and size (at most a batch's 512), then
            // found by its slot: the text is not rebuilt or hashed per batch.
            let key = slot << 16 | rows
            if let made = multiRowCache.withLock({ $0[key] }) { return made }
            let made = SQLStatement(multiRowText(single.text, rows: rows))
            multiRowCache.withLock { $0[key] = made }
            return made
        }

        static let multiRowCache = Locked<[Int: SQLStatement]>([:])

        static func multiRowText(_ text: String, rows: Int) -> String {
            guard let open = text.range(of: "VALUES (")?.upperBound,
                  let close = text[open...].firstIndex(of: ")") else { return text }
            let tuple = String(text[open..<close])
            let columns = SQLParameters.highest(in: tuple)
            let tuples = (0..<rows).map { row in
                "(" + SQLParameters.rewrite(tuple) { "$\($0 + row * columns)" } + ")"
            }
            let head = text[..<text.index(open, offsetBy: -1)]
            return head + tuples.joined(separator: ", ") + text[text.index(after: close)...]
        }
    }

    private static func unique<Value: Hashable>(_ values: [Value]) -> [Value] {
        var seen = Set<Value>()
        return values.filter { seen.insert($0).inserted }
    }

    /// A PostgreSQL array literal of texts.
    package static func textArray(_ values: [String]) -> SQLValue {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(values.reduce(2) { $0 + $1.utf8.count + 3 })
        for value in values {
            if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return .text(String(decoding: bytes, as: UTF8.self))
    }
}

/// Why a set-based batch did not commit.
enum SetBasedRecorderError: Error, CustomStringConvertible {
    case historyRaced(expected: Int, inserted: Int)

    var description: String {
        switch self {
        case .historyRaced(let expected, let inserted):
            return "\(expected - inserted) of \(expected) observations were recorded by another writer meanwhile; the batch is retried"
        }
    }
}
