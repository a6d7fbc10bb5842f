import AlipayNotify
import Foundation
import HTTPServer
import Ledger
import SQLiteLedger
import Logging
import Outbox
import TestSupport

/// A ledger with a writer, and notifications that produce events.
final class OutboxLedger: @unchecked Sendable {
    let directory = TemporaryDirectory("outbox")
    let writer: LedgerWriter

    init() throws {
        let store = try SQLiteLedgerStore(path: directory.file("ledger.db"), explicitSync: true)
        writer = LedgerWriter(store: store, logger: Logger(label: "outbox-test"))
    }

    deinit {
        writer.shutdown()
    }

    /// Records a notification and waits for its commit.
    func record(_ outTradeNo: String, id: String, status: TradeStatus = .tradeSuccess, total: Int64 = 10000, refund: Int64? = nil) {
        let done = DispatchSemaphore(value: 0)
        let notification = Notification(notifyID: id, appID: "A", outTradeNo: outTradeNo, tradeNo: "T\(outTradeNo)",
                                        tradeStatus: status, totalAmount: Fen(total), refundFee: refund.map(Fen.init))
        let rules = BusinessRules(appIDs: ["A"], acceptsUnknownOrders: true)
        writer.submit(.observation(AcceptedObservation(observation: notification.observation, rawBody: Array(id.utf8), rules: rules))) { _ in done.signal() }
        done.wait()
    }

    func event(_ id: String) throws -> OutboxEvent? {
        try writer.performAndWait { store in try store.event(id) }
    }

    /// Waits until `condition` holds, at most `seconds`.
    func wait(seconds: Double = 20, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    func dispatcher(sink: any EventSink, maximumAttempts: Int = 10, retryBase: Duration = .milliseconds(100)) -> OutboxDispatcher {
        var settings = OutboxDispatcher.Settings()
        settings.concurrency = 2
        settings.maximumAttempts = maximumAttempts
        settings.retryBase = retryBase
        settings.retryMaximum = .seconds(2)
        settings.pollInterval = .milliseconds(50)
        settings.leaseSeconds = 10
        let dispatcher = OutboxDispatcher(writer: writer, sink: sink, settings: settings, owner: "daemon:test", logger: Logger(label: "dispatcher-test"))
        writer.onEventsWritten { [weak dispatcher] in dispatcher?.wake() }
        return dispatcher
    }
}

