import AlipayNotify
import ArgumentParser
import Ledger
import NotifyDaemon

/// `alipay-notifyd orders`: registering the orders notifications are checked against.
struct OrdersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Register and list merchant orders (the out_trade_no and amount each notification must match).",
        subcommands: [Add.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an order before sending the buyer to Alipay.",
            discussion: """
                AMOUNT is in yuan with at most two decimals (88.88), exactly as you pass \
                total_amount to Alipay. Several payment serials (out_trade_no) may belong to \
                one business order (--business-order): the first one paid ships, a later paid \
                serial of the same business order is recorded as a duplicate payment to refund. \
                Registering the same order twice is harmless; changing its amount is refused.
                """
        )

        @OptionGroup var ledger: LedgerOptions

        @Argument(help: "The out_trade_no you send to Alipay.")
        var outTradeNo: String

        @Argument(help: "The total_amount in yuan, e.g. 88.88.")
        var amount: String

        @Option(name: .customLong("business-order"), help: ArgumentHelp("The business order this payment serial belongs to.", valueName: "ID"))
        var businessOrder: String?

        func run() throws {
            guard let total = Fen(decimal: amount) else {
                throw ValidationError("AMOUNT '\(amount)' must be yuan with at most two decimals, like 88.88")
            }
            let store = try ledger.open()
            do {
                let added = try store.addOrder(MerchantOrder(outTradeNo: outTradeNo, totalAmount: total, businessOrder: businessOrder))
                print(added ? "registered order \(outTradeNo) amount \(total)" : "order \(outTradeNo) was already registered with amount \(total)")
            } catch let error as OrderError {
                StandardError.print("alipay-notifyd orders add: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered orders, newest first.")

        @OptionGroup var ledger: LedgerOptions

        @Option(help: "How many orders at most.")
        var limit = 100

        @Flag(help: "Print JSON lines instead of a table: one order each, the document of trade show --json.")
        var json = false

        func run() throws {
            let orders = try ledger.open().orders(limit: limit)
            if json {
                for order in orders {
                    print(LedgerJSON.order(order))
                }
                return
            }
            print("OUT_TRADE_NO".padding(34) + "AMOUNT".padding(14) + "BUSINESS_ORDER".padding(24) + "CREATED_AT")
            for order in orders {
                print(order.outTradeNo.padding(34) + order.totalAmount.description.padding(14)
                      + (order.businessOrder ?? "-").padding(24) + order.createdAt)
            }
        }
    }
}
