@testable import ActiveSide
import AlipayNotify
import AlipayOpenAPI
import Foundation
import Ledger
import SQLiteLedger
import Testing
import TestSupport

/// New payment serials against Alipay in this process: earlier serials
/// that may still be paid are closed first, and none is handed out while
/// an earlier result is unknown or the business order is paid.
@Suite struct PaymentSerialsTests {
    func serials(_ bench: ActiveSideBench) -> PaymentSerials {
        PaymentSerials(writer: bench.writer, step: bench.reconciliation, policy: bench.policy, owner: "test", logger: bench.logger)
    }

    @Test func aNewSerialClosesTheEarlierOneTheBuyerStartedPaying() throws {
        let bench = try ActiveSideBench()
        let serials = serials(bench)
        guard case .created(let first) = serials.newSerial(businessOrder: "BO-1", amount: Fen(500), expiry: nil) else {
            Issue.record("no first serial")
            return
        }
        #expect(first.outTradeNo == "BO-1-1")
        bench.alipay.book.create(first.outTradeNo, totalAmount: Fen(500))   // the buyer scanned, and walked away
        guard case .created(let second) = serials.newSerial(businessOrder: "BO-1", amount: Fen(500), expiry: nil) else {
            Issue.record("no second serial")
            return
        }
        #expect(second.outTradeNo == "BO-1-2")
        #expect(bench.alipay.book.trade(first.outTradeNo)?.status == .tradeClosed)
        #expect(try bench.reconciliation(first.outTradeNo).order.state == .closed)
    }

    @Test func noSerialWhileAnEarlierOnesResultIsUnknown() throws {
        let bench = try ActiveSideBench()
        let serials = serials(bench)
        guard case .created(let first) = serials.newSerial(businessOrder: "BO-2", amount: Fen(500), expiry: nil) else {
            Issue.record("no first serial")
            return
        }
        bench.alipay.book.create(first.outTradeNo, totalAmount: Fen(500))
        bench.alipay.timeOut(.tradeClose, times: 1)
        guard case .conflict(let reason) = serials.newSerial(businessOrder: "BO-2", amount: Fen(500), expiry: nil) else {
            Issue.record("a serial was handed out while the earlier one's result was unknown")
            return
        }
        #expect(reason.contains("unknown"))
        #expect(try bench.writer.performAndWait { store in try store.serials(ofBusinessOrder: "BO-2") }.serials.count == 1)
    }

    @Test func noSerialForABusinessOrderFoundPaidWhenItsEarlierSerialIsClosed() throws {
        let bench = try ActiveSideBench()
        let serials = serials(bench)
        guard case .created(let first) = serials.newSerial(businessOrder: "BO-3", amount: Fen(500), expiry: nil) else {
            Issue.record("no first serial")
            return
        }
        bench.alipay.pay(first.outTradeNo, 500)   // paid, and its notification lost
        guard case .conflict(let reason) = serials.newSerial(businessOrder: "BO-3", amount: Fen(500), expiry: nil) else {
            Issue.record("a paid business order got another serial")
            return
        }
        #expect(reason.contains("already paid"))
        #expect(try bench.details(first.outTradeNo)?.events.map(\.id) == ["BO-3-1/ship"], "the payment found is recorded and ships")
    }

    @Test func aSerialWhoseCloseAlipayAnsweredIsNotClosedAgainUntilSomethingNewIsKnownOfIt() throws {
        let bench = try ActiveSideBench()
        let serials = serials(bench)
        func next() -> String? {
            guard case .created(let order) = serials.newSerial(businessOrder: "BO-5", amount: Fen(500), expiry: nil) else { return nil }
            return order.outTradeNo
        }
        let one = try #require(next())
        let two = try #require(next())   // closes the first: Alipay has no such trade
        #expect(bench.alipay.calls(.tradeClose, one) == 1)
        #expect(try bench.reconciliation(one).closeAnsweredAt != nil)
        let three = try #require(next())
        #expect(bench.alipay.calls(.tradeClose, one) == 1, "answered already, and nothing new is known of it")
        #expect(bench.alipay.calls(.tradeClose, two) == 1)
        // The buyer scans the first code after all; the reconciler's query finds the waiting trade.
        bench.alipay.book.create(one, totalAmount: Fen(500))
        _ = bench.reconciliation.run(try bench.reconciliation(one), owner: nil)
        let four = try #require(next())
        #expect(bench.alipay.calls(.tradeClose, one) == 2, "something new was recorded about it: closed again")
        #expect(bench.alipay.book.trade(one)?.status == .tradeClosed)
        #expect(bench.alipay.calls(.tradeClose, two) == 1 && bench.alipay.calls(.tradeClose, three) == 1)
        #expect(Set([one, two, three, four]).count == 4)
    }

    @Test func anAnsweredCloseIsSentAgainAfterANewObservationOrAnUnknownCallButNotOtherwise() {
        let order = MerchantOrder(outTradeNo: "S-1", totalAmount: Fen(100), businessOrder: "B")
        func serial(_ state: OrderState = .open, answered: String? = "2026-01-01T00:00:10.000Z", observed: String? = nil,
                    unknownSince: String? = nil, closeRequested: String? = nil) -> BusinessOrderSerial {
            var order = order
            order.state = state
            return BusinessOrderSerial(reconciliation: OrderReconciliation(order: order, nextQueryAt: "2026-01-01T00:05:00.000Z",
                                                                           unknownSince: unknownSince, closeRequestedAt: closeRequested,
                                                                           closeAnsweredAt: answered),
                                       lastObservedAt: observed)
        }
        #expect(PaymentSerials.needsClosing(serial(answered: nil)), "never closed")
        #expect(!PaymentSerials.needsClosing(serial()), "answered, nothing since")
        #expect(!PaymentSerials.needsClosing(serial(observed: "2026-01-01T00:00:09.000Z")), "observed before the close was answered")
        #expect(PaymentSerials.needsClosing(serial(observed: "2026-01-01T00:00:11.000Z")), "observed since")
        #expect(PaymentSerials.needsClosing(serial(unknownSince: "2026-01-01T00:00:12.000Z")), "unknown since")
        #expect(PaymentSerials.needsClosing(serial(closeRequested: "2026-01-01T00:00:12.000Z")), "a close decided and not yet known")
        #expect(!PaymentSerials.needsClosing(serial(.closed, answered: nil)), "closed: nobody can pay it")
        #expect(!PaymentSerials.needsClosing(serial(.paid, answered: nil)))
    }

    @Test func twoProcessesOnOneLedgerNeverHandOutASerialBeforeTheEarlierOneIsClosed() throws {
        let bench = try ActiveSideBench()
        // A second daemon (or a command beside the daemon): its own writer on the same SQLite file.
        let otherWriter = LedgerWriter(store: try SQLiteLedgerStore(path: bench.directory.file("ledger.db"), explicitSync: true), logger: bench.logger)
        defer { otherWriter.shutdown() }
        let rules = bench.rules
        let otherStep = ReconciliationStep(writer: otherWriter, gateway: try bench.alipay.client(), policy: bench.policy, rules: { rules },
                                           metrics: bench.metrics, logger: bench.logger)
        let both = [serials(bench), PaymentSerials(writer: otherWriter, step: otherStep, policy: bench.policy, owner: "other", logger: bench.logger)]
        // Buyers scanned every other code: those serials are open at Alipay until closed.
        for number in stride(from: 1, through: 80, by: 2) { bench.alipay.book.create("BO-R-\(number)", totalAmount: Fen(500)) }
        var created: [String] = []
        // At once, then spread over a few tens of milliseconds (some meet a claim held, others follow each other).
        for spread in [0, 2_000, 5_000] {
            let outcomes = try onThreads(20) { index in
                usleep(UInt32(index * spread))
                return both[index % 2].newSerial(businessOrder: "BO-R", amount: Fen(500), expiry: nil)
            }
            for outcome in outcomes {
                switch outcome {
                case .created(let order): created.append(order.outTradeNo)
                case .inProgress: break
                default: Issue.record("\(outcome)")
                }
            }
        }
        let registered = try bench.writer.performAndWait { store in try store.serials(ofBusinessOrder: "BO-R") }.serials.map(\.reconciliation.order)
        #expect(Set(registered.map(\.outTradeNo)) == Set(created), "exactly the serials reported as created exist")
        #expect(created.count >= 3)
        let closes = Dictionary(grouping: bench.alipay.book.calls().filter { $0.method == "alipay.trade.close" }, by: { $0.outTradeNo ?? "" })
        let inOrder = registered.sorted { $0.createdAt < $1.createdAt }
        for (earlier, later) in zip(inOrder, inOrder.dropFirst()) {
            let handedOut = try #require(Timestamp.epochSeconds(later.createdAt))
            let closedAt = closes[earlier.outTradeNo]?.map(\.receivedAt).min()
            #expect(closedAt.map { $0 <= handedOut + 0.001 } ?? false,
                    "\(later.outTradeNo) was handed out at \(later.createdAt) before \(earlier.outTradeNo) was closed at Alipay (\(String(describing: closedAt)))")
        }
    }
}
