import ActiveSide
import AdminAPI
import AlipayNotify
import AlipayOpenAPI
import ArgumentParser
import DaemonSettings
import Ledger
import NotifyDaemon

/// `alipay-notifyd trade query`: ask Alipay about one order now, and record
/// what it verifiably answered as the receiver records a notification.
struct TradeQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Ask Alipay (alipay.trade.query) about one order now, and record the verified answer.",
        usage: "alipay-notifyd trade query OUT_TRADE_NO [--config FILE] [--json] [--dry-run] [--<setting> <value>]…",
        discussion: """
            Signs the query with app-private-key, sends it to alipay-gateway, and verifies the answer \
            with alipay-public-key before believing a word of it. A verified trade status is recorded \
            like a notification: the same checks (app, order, amount to the fen), the same state \
            machine (the first of query and notification that shows the payment ships; the other \
            changes nothing) and the same transaction; every call is kept in the ledger with what it \
            answered (see 'trade show'). --dry-run asks and prints but records nothing.

            Exit status:
              0   recorded: Alipay verifiably stated the trade's status, and it is in the ledger
              3   no such trade: Alipay has none (yet: for QR, page and wap payments it exists only once the buyer scans or logs in)
              4   refused: Alipay verifiably refused the query (its code and sub_code say why: often the configuration)
              5   unknown: no verified answer (timeout, TLS, unsigned, forged, busy); nothing was decided
              6   quarantined: a verified answer the order's checks refused (another amount, an unregistered order)
              75  not recorded: the ledger could not be opened or could not record the answer (the message says why); nothing was decided, ask again
              78  the configuration is wrong (the message names the setting)

            \(SettingOptions.help)
            """
    )

    static let recorded: Int32 = 0
    static let noSuchTrade: Int32 = 3
    static let refused: Int32 = 4
    static let unknown: Int32 = 5
    static let quarantined: Int32 = 6
    /// EX_TEMPFAIL: the ledger, not the configuration, failed.
    static let notRecorded: Int32 = 75

    @Argument(help: "The out_trade_no to ask about.")
    var outTradeNo: String

    @Option(help: ArgumentHelp("The configuration file.", valueName: "FILE"))
    var config: String?

    @Flag(help: "Print one JSON document: the call, and what was recorded.")
    var json = false

    @Flag(name: .customLong("dry-run"), help: "Ask and print, but record nothing.")
    var dryRun = false

    @OptionGroup var settings: SettingOptions

    func run() throws {
        let configuration: DaemonConfiguration
        let client: AlipayGatewayClient
        do {
            configuration = try DaemonConfiguration.load(configFile: config, commandLine: try settings.entries)
            client = try AlipayGatewayClient.load(configuration)
        } catch {
            StandardError.print("alipay-notifyd trade query: \(error)")
            throw ExitCode(Daemon.configurationErrorStatus)
        }
        let answer = client.query(outTradeNo)
        var recorded: LedgerOutcome?
        var recordingError: String?
        if !dryRun {
            do {
                recorded = try configuration.ledger.open().recordGatewayCall(
                    answer.ledgerRecord, observation: answer.submission(orderAmount: nil, rules: configuration.businessRules))
            } catch {
                recordingError = "\(error)"
            }
        }
        let status = Self.exitStatus(answer, recorded: recorded)
        if json {
            print(Self.document(answer, recorded: recorded, dryRun: dryRun, recordingError: recordingError))
        } else {
            print(Self.text(answer, recorded: recorded, dryRun: dryRun, gateway: client.gatewayURL))
        }
        if let recordingError {
            StandardError.print("alipay-notifyd trade query: the answer could not be recorded in the ledger (nothing was decided; ask again): \(recordingError)")
            throw ExitCode(Self.notRecorded)
        }
        if case .unavailable(let reason)? = recorded {
            StandardError.print("alipay-notifyd trade query: the answer could not be recorded in the ledger (nothing was decided; ask again): \(reason)")
            throw ExitCode(Self.notRecorded)
        }
        if status != 0 { throw ExitCode(status) }
    }

    static func exitStatus(_ answer: GatewayAnswer, recorded: LedgerOutcome?) -> Int32 {
        switch answer.outcome {
        case .success:
            if case .failure? = answer.observation { return unknown }
            if case .rejected? = recorded { return quarantined }
            return Self.recorded
        case .refusal(let refusal):
            return refusal.kind == .noSuchTrade ? noSuchTrade : refused
        case .unknown:
            return unknown
        }
    }

    static func what(_ recorded: LedgerOutcome?, dryRun: Bool) -> String {
        guard !dryRun else { return "not recorded (--dry-run)" }
        switch recorded {
        case .recorded(let decision)?: return "recorded: \(decision.summary)"
        case .duplicate?: return "already recorded"
        case .rejected(let reason)?: return "quarantined: \(reason)"
        case .unavailable(let reason)?: return "not recorded: \(reason)"
        case nil: return "the call is recorded; no trade status to record"
        }
    }

    /// What the ledger did, in one word (`ship`, `recorded`, `duplicate`, `quarantined`, `none`).
    static func label(_ recorded: LedgerOutcome?) -> String {
        switch recorded {
        case .recorded(let decision)?: return decision.summary
        case .duplicate?: return "duplicate"
        case .rejected?: return "quarantined"
        case .unavailable?: return "unavailable"
        case nil: return "none"
        }
    }

    static func text(_ answer: GatewayAnswer, recorded: LedgerOutcome?, dryRun: Bool, gateway: String) -> String {
        var lines = ["asked \(gateway) about \(answer.outTradeNo) (call \(answer.callID))"]
        switch answer.outcome {
        case .success(let success):
            switch answer.observation {
            case .success(let observation)?:
                lines.append("verified answer: \(observation.tradeStatus.rawValue), total_amount \(observation.totalAmount), trade_no \(observation.tradeNo ?? "-")"
                             + (observation.gmtPayment.map { ", paid \($0)" } ?? ""))
            case .failure(let error)?:
                lines.append("verified answer, but not a trade status the daemon can use: \(error)")
            case nil:
                lines.append("verified answer: \(success.fields)")
            }
        case .refusal(let refusal):
            lines.append(refusal.kind == .noSuchTrade
                         ? "verified answer: Alipay has no trade \(answer.outTradeNo) (ACQ.TRADE_NOT_EXIST)"
                         : "verified refusal: \(refusal)")
        case .unknown(let reason):
            lines.append("unknown: \(reason)")
        }
        lines.append(what(recorded, dryRun: dryRun))
        return lines.joined(separator: "\n")
    }

    static func document(_ answer: GatewayAnswer, recorded: LedgerOutcome?, dryRun: Bool, recordingError: String?) -> String {
        func optional(_ text: String?) -> String { text.map(JSONText.string) ?? "null" }
        let call = answer.ledgerRecord
        var observation = "null"
        if case .success(let stated)? = answer.observation {
            observation = "{\"trade_status\":\"\(stated.tradeStatus.rawValue)\",\"total_amount\":\"\(stated.totalAmount)\","
                + "\"trade_no\":\(optional(stated.tradeNo)),\"gmt_payment\":\(optional(stated.gmtPayment))}"
        }
        return "{\"call\":\(LedgerJSON.gatewayCall(call)),\"outcome\":\"\(answer.outcome.code)\",\"trade\":\(observation),"
            + "\"recorded\":\(JSONText.string(dryRun ? "dry-run" : recordingError == nil ? label(recorded) : "error")),"
            + "\"exit_status\":\(exitStatus(answer, recorded: recorded))}"
    }
}
