import ActiveSide
import AdminAPI
import AlipayNotify
import ArgumentParser
import DaemonSettings
import Ledger
import Logging
import NotifyDaemon
import Observability

/// `alipay-notifyd orders`: registering the orders notifications are checked against.
struct OrdersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Register and list merchant orders (the out_trade_no and amount each notification must match).",
        subcommands: [Add.self, List.self, NewSerial.self]
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

                An order expires --expires-in after now, or at --expires-at, or order-timeout \
                after now (read from --config; default 30m). The daemon asks Alipay about it \
                reconcile-after after its registration if no payment came, and closes it at \
                Alipay at its expiry if the buyer has not paid. Give Alipay the same expiry \
                (time_expire or timeout_express) when you create the payment.
                """
        )

        @OptionGroup var ledger: LedgerOptions

        @Option(name: .customLong("expires-in"), help: ArgumentHelp("The order may be paid for this long: 15m, 2h, 3d (at most 15 days).", valueName: "DURATION"))
        var expiresIn: String?

        @Option(name: .customLong("expires-at"), help: ArgumentHelp("The order may be paid until then: 2026-12-02T10:00:00Z, or Alipay's 2026-12-02 18:00:00 (China time).", valueName: "TIME"))
        var expiresAt: String?

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
            if let problem = TradeAmount.problem(total, what: "AMOUNT") { throw ValidationError(problem) }
            if expiresIn != nil && expiresAt != nil {
                throw ValidationError("give --expires-in or --expires-at, not both")
            }
            let policy = try ledger.settings.reconciliation
            let store = try ledger.open()
            do {
                let expiry = try expiresIn.map(OrderExpiry.duration) ?? expiresAt.map(OrderExpiry.time)
                let planned = try policy.newOrder(outTradeNo: outTradeNo, amount: total, businessOrder: businessOrder, expiry: expiry)
                let added = try store.addOrder(planned.order, firstQueryAt: planned.firstQueryAt)
                print(added ? "registered order \(outTradeNo) amount \(total), expires \(planned.order.expiresAt ?? "-")"
                            : "order \(outTradeNo) was already registered with amount \(total)")
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

        @Option(help: ArgumentHelp("Only orders in this state: open, paid, closed, expired or attention.", valueName: "STATE"))
        var state: String?

        @Flag(help: "Print JSON lines instead of a table: one order each, the document of trade show --json.")
        var json = false

        func run() throws {
            var filter: OrderState?
            if let state {
                guard let parsed = OrderState(rawValue: state) else {
                    throw ValidationError("--state '\(state)' must be open, paid, closed, expired or attention")
                }
                filter = parsed
            }
            let orders = try ledger.open().orders(state: filter, limit: limit)
            if json {
                for order in orders {
                    print(LedgerJSON.order(order))
                }
                return
            }
            print("OUT_TRADE_NO".padding(34) + "AMOUNT".padding(14) + "STATE".padding(11) + "BUSINESS_ORDER".padding(24)
                  + "CREATED_AT".padding(26) + "EXPIRES_AT")
            for order in orders {
                print(order.outTradeNo.padding(34) + order.totalAmount.description.padding(14) + order.state.rawValue.padding(11)
                      + (order.businessOrder ?? "-").padding(24) + order.createdAt.padding(26) + (order.expiresAt ?? "-"))
            }
        }
    }
}

extension OrdersCommand {
    struct NewSerial: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-serial",
            abstract: "Hand out a new payment serial (out_trade_no) for a business order's next payment attempt.",
            usage: "alipay-notifyd orders new-serial BUSINESS_ORDER AMOUNT [--expires-in D] [--config FILE] [--<setting> <value>]…",
            discussion: """
                Prints the new out_trade_no, registered under BUSINESS_ORDER for AMOUNT (yuan, \
                like 88.88): send the buyer to Alipay with it. Serials are never reused. Earlier \
                serials of the business order still open are closed at Alipay first \
                (alipay.trade.close), so a buyer cannot pay two of them; a serial paid all the \
                same becomes a duplicate_payment to refund.

                Exit status:
                  0   the new serial is printed
                  1   refused: the business order is already paid, or an earlier serial's result \
                is unknown right now (Alipay cannot be asked, or answers busy): a buyer is never \
                asked to pay again while the last result is unknown; try again shortly
                  2   the arguments are wrong
                  78  the configuration is wrong (the message names the setting)

                \\(SettingOptions.help)
                """
        )

        @Argument(help: "The business order (your order id; its serials share it).")
        var businessOrder: String

        @Argument(help: "The amount in yuan, e.g. 88.88.")
        var amount: String

        @Option(name: .customLong("expires-in"), help: ArgumentHelp("The serial may be paid for this long: 15m, 2h, 3d (default: order-timeout).", valueName: "DURATION"))
        var expiresIn: String?

        @Option(help: ArgumentHelp("The configuration file.", valueName: "FILE"))
        var config: String?

        @OptionGroup var settings: SettingOptions

        func run() throws {
            guard let total = Fen(decimal: amount) else {
                throw ValidationError("AMOUNT '\(amount)' must be yuan with at most two decimals, like 88.88")
            }
            if let problem = TradeAmount.problem(total, what: "AMOUNT") { throw ValidationError(problem) }
            let expiry: OrderExpiry?
            do {
                expiry = try expiresIn.map(OrderExpiry.duration)
            } catch {
                throw ValidationError("\(error)")
            }
            let desk: CommandDesk
            do {
                let configuration = try DaemonConfiguration.load(configFile: config, commandLine: try settings.entries)
                desk = try CommandDesk.open(configuration, store: try configuration.ledger.open(),
                                            logger: Logger(label: "alipay-notifyd") { LineLogHandler(label: $0, level: .warning, format: .text) })
            } catch let error as ConfigurationError {
                StandardError.print("alipay-notifyd orders new-serial: \(error)")
                throw ExitCode(Daemon.configurationErrorStatus)
            }
            let outcome = desk.serials.newSerial(businessOrder: businessOrder, amount: total, expiry: expiry)
            desk.writer.shutdown()
            switch outcome {
            case .created(let order):
                print(order.outTradeNo)
            case .conflict(let reason), .inProgress(let reason), .unavailable(let reason):
                StandardError.print("alipay-notifyd orders new-serial: \(reason)")
                throw ExitCode(1)
            case .invalid(let reason):
                StandardError.print("alipay-notifyd orders new-serial: \(reason)")
                throw ExitCode(2)
            }
        }
    }
}
