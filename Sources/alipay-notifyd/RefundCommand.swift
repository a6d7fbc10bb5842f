import AdminAPI
import AlipayNotify
import ArgumentParser
import DaemonSettings
import Ledger
import Logging
import NotifyDaemon
import Observability

/// `alipay-notifyd refund`: give money back, once, however often it is asked.
struct RefundCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refund",
        abstract: "Refund a paid trade through alipay.trade.refund, exactly once; or retry a refund in attention.",
        usage: """
            alipay-notifyd refund OUT_TRADE_NO AMOUNT --reason TEXT [--request-no ID] [--wait SECONDS] [--config FILE] [--json]
            alipay-notifyd refund retry REQUEST_NO [--trade OUT_TRADE_NO] [--wait SECONDS] [--config FILE] [--json]
            """,
        discussion: """
            The refund is recorded in the ledger before it is sent, with its request number (Alipay's \
            out_request_no): the same --request-no again is the same refund, and a retry, a restart \
            or another daemon sends the very same request, so the money moves at most once. See \
            'alipay-notifyd help refund request' and README, "Refunds".

            \(exitStatuses)
            """,
        subcommands: [Request.self, Retry.self],
        defaultSubcommand: Request.self
    )

    static let succeeded: Int32 = 0
    static let refusedStatus: Int32 = 3
    static let failed: Int32 = 4
    static let attention: Int32 = 5
    static let pending: Int32 = 6

    static let exitStatuses = """
        Exit status:
          0   succeeded: Alipay's verified answer says the money moved (fund_change=Y, or the refund query's REFUND_SUCCESS)
          3   refused before any call: not a paid trade, more than is left to refund, a malformed amount, a request_no used for another amount
          4   failed: Alipay's verified, final refusal (its sub_code is printed)
          5   attention: unknown for attention-after; never taken for success or failure: a person decides ('refund retry')
          6   pending: the wait ended with the result still unknown; the daemon goes on with the same request
          1   the ledger could not be used
          78  the configuration is wrong (the message names the setting)
        """

    /// Prints the request and exits with the status its state has.
    static func report(_ request: RefundRequest, new: Bool, json: Bool) throws {
        if json {
            print(LedgerJSON.refund(request))
        } else {
            print("refund \(request.requestNo) of \(request.outTradeNo): \(request.amount), \(request.state.rawValue)"
                  + (new ? "" : " (this request_no was recorded before: nothing new was sent)"))
            if let answer = request.lastAnswer { print("Alipay's last answer: \(answer)" + (request.subCode.map { " (\($0))" } ?? "")) }
            if let next = request.nextAttemptAt, !request.state.isFinal { print("next attempt at \(next) (\(request.nextCall.rawValue))") }
        }
        switch request.state {
        case .succeeded: return
        case .failed: throw ExitCode(failed)
        case .attention: throw ExitCode(attention)
        case .pending: throw ExitCode(pending)
        }
    }

    /// What both forms take besides their arguments: how long to wait, the
    /// configuration, JSON output and the daemon's settings.
    struct Common: ParsableArguments {
        @Option(help: ArgumentHelp("How long to wait for the outcome, in seconds.", valueName: "SECONDS"))
        var wait: Double = 90

        @Option(help: ArgumentHelp("The configuration file.", valueName: "FILE"))
        var config: String?

        @Flag(help: "Print the refund request as JSON.")
        var json = false

        @OptionGroup var settings: SettingOptions

        /// The refunds desk over the configuration's ledger, or exit 78 (1 when the ledger cannot be opened).
        func open(command: String) throws -> CommandDesk {
            do {
                let configuration = try DaemonConfiguration.load(configFile: config, commandLine: try settings.entries)
                return try CommandDesk.open(configuration, store: try configuration.ledger.open(),
                                            logger: Logger(label: "alipay-notifyd") { LineLogHandler(label: $0, level: .warning, format: .text) })
            } catch let error as ConfigurationError {
                StandardError.print("alipay-notifyd \(command): \(error)")
                throw ExitCode(Daemon.configurationErrorStatus)
            } catch {
                StandardError.print("alipay-notifyd \(command): cannot open the ledger: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "Refund AMOUNT of a paid trade (the default: alipay-notifyd refund OUT_TRADE_NO AMOUNT --reason TEXT).",
            usage: "alipay-notifyd refund OUT_TRADE_NO AMOUNT --reason TEXT [--request-no ID] [--wait D] [--config FILE] [--json]",
            discussion: """
                The refund is recorded in the ledger first, with its request number (Alipay's \
                out_request_no; a new one unless --request-no names one), and only then sent. The same \
                --request-no again is the same refund: it is not sent again, its state is reported. \
                Refused before any call: an unpaid or unknown trade, more than was paid minus what is \
                refunded or pending, a malformed amount. An unknown result is never taken for success \
                or failure: the same request is sent again (after the refund query, when the last call \
                may have reached Alipay) until the answer is known, for at most --wait here; the daemon \
                goes on with it after that.

                \(RefundCommand.exitStatuses)

                \(SettingOptions.help)
                """
        )

        @Argument(help: "The paid trade's out_trade_no.")
        var outTradeNo: String

        @Argument(help: "The amount to give back, in yuan, e.g. 10.00.")
        var amount: String

        @Option(help: ArgumentHelp("Why (Alipay shows it to the buyer; at most 256 bytes).", valueName: "TEXT"))
        var reason: String

        @Option(name: .customLong("request-no"), help: ArgumentHelp("This refund's out_request_no: give the same one to retry it.", valueName: "ID"))
        var requestNo: String?

        @OptionGroup var common: Common

        func run() throws {
            guard let total = Fen(decimal: amount), total > .zero else {
                StandardError.print("alipay-notifyd refund: AMOUNT '\(amount)' must be yuan with at most two decimals, more than 0, like 10.00")
                throw ExitCode(RefundCommand.refusedStatus)
            }
            let desk = try common.open(command: "refund")
            defer { desk.writer.shutdown() }
            switch desk.refunds.refund(outTradeNo: outTradeNo, amount: total, reason: reason, requestNo: requestNo) {
            case .refused(let why):
                StandardError.print("alipay-notifyd refund: refused, nothing was sent: \(why)")
                throw ExitCode(RefundCommand.refusedStatus)
            case .unavailable(let why):
                StandardError.print("alipay-notifyd refund: \(why)")
                throw ExitCode(1)
            case .request(let request, let new):
                let settled = new ? desk.refunds.awaitOutcome(request, seconds: max(0, common.wait)) : request
                try RefundCommand.report(settled, new: new, json: common.json)
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Try a pending or attention refund again now, with the same request (a person decided to).",
            usage: "alipay-notifyd refund retry REQUEST_NO [--trade OUT_TRADE_NO] [--wait D] [--config FILE] [--json]",
            discussion: """
                The same out_request_no and amount go to Alipay again (after the refund query, when \
                an earlier call may have reached Alipay), so the money cannot move twice. A refund that \
                succeeded or failed is final and is not sent again.

                \(RefundCommand.exitStatuses)

                \(SettingOptions.help)
                """
        )

        @Argument(help: "The refund's request number (out_request_no).")
        var requestNo: String

        @Option(help: ArgumentHelp("The trade, when the request number was used for several.", valueName: "OUT_TRADE_NO"))
        var trade: String?

        @OptionGroup var common: Common

        func run() throws {
            let desk = try common.open(command: "refund retry")
            defer { desk.writer.shutdown() }
            switch desk.refunds.retry(requestNo: requestNo, outTradeNo: trade) {
            case .refused(let why):
                StandardError.print("alipay-notifyd refund retry: \(why)")
                throw ExitCode(RefundCommand.refusedStatus)
            case .unavailable(let why):
                StandardError.print("alipay-notifyd refund retry: \(why)")
                throw ExitCode(1)
            case .request(let request, _):
                try RefundCommand.report(desk.refunds.awaitOutcome(request, seconds: max(0, common.wait)), new: true, json: common.json)
            }
        }
    }
}
