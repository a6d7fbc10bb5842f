import ActiveSide
import AlipayNotify
import AlipayOpenAPI
import Foundation
import Ledger
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
}
