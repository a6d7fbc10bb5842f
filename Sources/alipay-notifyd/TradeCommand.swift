import AdminAPI
import AlipayNotify
import ArgumentParser
import Ledger
import NotifyDaemon

/// `alipay-notifyd trade show`: "what happened to order X?" in one command.
struct TradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trade",
        abstract: "Show what the ledger knows about one order, or ask Alipay about it.",
        subcommands: [Show.self, TradeQueryCommand.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The order, the trade's state, every notification received, every event and its delivery, and quarantined notifications."
        )

        @OptionGroup var ledger: LedgerOptions

        @Argument(help: "The out_trade_no.")
        var outTradeNo: String

        @Flag(help: "Print JSON (the same document as GET /trades/{out_trade_no}).")
        var json = false

        func run() throws {
            guard let details = try ledger.open().tradeDetails(outTradeNo) else {
                StandardError.print("alipay-notifyd trade show: nothing is known about \(outTradeNo) (no order, notification or quarantined notification)")
                throw ExitCode(1)
            }
            if json {
                print(LedgerJSON.trade(details))
                return
            }
            print("order \(outTradeNo)")
            if let schedule = details.reconciliation {
                let order = schedule.order
                print("  \(order.state.rawValue.uppercased()): registered \(order.createdAt), amount \(order.totalAmount)"
                      + (order.businessOrder.map { ", business order \($0)" } ?? "") + (order.expiresAt.map { ", expires \($0)" } ?? ""))
                var asking = "  asked \(schedule.queries) time(s)"
                asking += schedule.nextQueryAt.map { ", next query at \($0)" } ?? ", not asked again"
                if let since = schedule.unknownSince { asking += ", results unknown since \(since)" }
                if let close = schedule.closeRequestedAt { asking += ", close decided at \(close) (sent until its result is known)" }
                print(asking)
            } else {
                print("  not registered with 'orders add'")
            }
            if let trade = details.trade {
                var state = "  trade \(trade.status.rawValue)"
                if let tradeNo = trade.tradeNo { state += " (Alipay trade_no \(tradeNo))" }
                state += trade.paid ? ", paid" : ", not paid"
                if trade.shipped { state += ", shipped \(details.shippedAt ?? "")" }
                if trade.duplicatePayment { state += ", DUPLICATE PAYMENT (refund it)" }
                if trade.refunded > .zero { state += ", refunded \(trade.refunded)" }
                if let reason = trade.closeReason { state += ", closed (\(reason.rawValue))" }
                print(state)
            }
            print("notifications and answers (\(details.notifications.count)):")
            for n in details.notifications {
                let source = n.source == "notification" ? "notify_id \(n.notifyID)" : "\(n.source) answer \(n.notifyID)"
                print("  \(n.receivedAt)  \(n.tradeStatus.padding(15))\(n.decision.padding(18))\(source)"
                      + (n.refundFee.map { "  refund_fee \($0)" } ?? ""))
            }
            if !details.gatewayCalls.isEmpty {
                print("calls to Alipay (\(details.gatewayCalls.count)):")
                for call in details.gatewayCalls {
                    var line = "  \(call.requestedAt)  \(call.method.padding(22))\(call.outcome.rawValue.padding(10))"
                    if let status = call.tradeStatus { line += status + " " }
                    if let code = call.code { line += "code \(code) " }
                    if let subCode = call.subCode { line += subCode + " " }
                    if let detail = call.detail { line += detail }
                    print(line)
                }
            }
            if !details.refunds.isEmpty {
                print("refund requests (\(details.refunds.count)):")
                for refund in details.refunds {
                    var line = "  \(refund.requestNo.padding(28))\(refund.amount.description.padding(12))\(refund.state.rawValue.padding(11))"
                    line += "\(refund.origin.rawValue), \(refund.attempts) call(s)"
                    if let answer = refund.lastAnswer { line += "; \(answer)" }
                    print(line)
                }
            }
            print("events (\(details.events.count)):")
            for event in details.events {
                var line = "  \(event.id.padding(36))\(event.state.rawValue.padding(10))amount \(event.amount)  attempts \(event.attempts)"
                if let delivered = event.deliveredAt { line += "  delivered \(delivered)" }
                if let error = event.lastError, event.state != .delivered { line += "  last error: \(error)" }
                print(line)
            }
            if !details.quarantined.isEmpty {
                print("quarantined (answered fail, not applied):")
                for q in details.quarantined {
                    print("  \(q.lastSeenAt)  \(q.reason) ×\(q.timesSeen): \(q.detail)")
                }
            }
        }
    }
}
