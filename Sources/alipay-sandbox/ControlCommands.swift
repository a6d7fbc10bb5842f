import ArgumentParser
import Foundation

/// Where the running sandbox is, for the commands that talk to it.
struct SandboxAddress: ParsableArguments {
    @Option(help: ArgumentHelp("The running sandbox.", valueName: "URL"))
    var sandbox = "http://127.0.0.1:8090"

    /// Sends a control request (a POST with a JSON body) and prints the
    /// answer; a non-2xx answer fails the command.
    func call(_ path: String, _ body: [String: Any] = [:]) throws {
        let bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        switch LoopbackOrHTTPSPost.post(sandbox + "/sandbox/" + path, bytes) {
        case .failure(let error):
            throw SandboxError("cannot reach the sandbox at \(sandbox) (is 'alipay-sandbox serve' running?): \(error)")
        case .success(let answer):
            let text = String(decoding: answer.body, as: UTF8.self)
            guard (200..<300).contains(answer.status) else { throw SandboxError("the sandbox answered \(answer.status): \(text)") }
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}

/// A trade's status change, and optionally its notification.
struct NotifyOptions: ParsableArguments {
    @Option(name: .customLong("notify-url"), help: ArgumentHelp("Send the trade's signed notification here, on Alipay's retry schedule, until it reads 'success'.", valueName: "URL"))
    var notifyURL: String?

    @Option(name: .customLong("time-scale"), help: ArgumentHelp("Divide Alipay's waits (4m, 10m, 10m, 1h, 2h, 6h, 15h) by this.", valueName: "N"))
    var timeScale: Double = 1

    var fields: [String: Any] {
        var fields: [String: Any] = ["time_scale": timeScale]
        if let notifyURL { fields["notify_url"] = notifyURL }
        return fields
    }
}

struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a trade waiting for payment (the buyer opened the cashier).")
    @Argument(help: "The merchant's out_trade_no.") var outTradeNo: String
    @Argument(help: "Its amount in yuan, e.g. 88.88.") var amount: String
    @OptionGroup var address: SandboxAddress
    func run() throws { try address.call("trades", ["out_trade_no": outTradeNo, "total_amount": amount]) }
}

struct PayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pay", abstract: "The buyer pays (TRADE_SUCCESS); with --notify-url, the notification follows.")
    @Argument(help: "The merchant's out_trade_no.") var outTradeNo: String
    @Argument(help: "Its amount in yuan (creates the trade when it is new).") var amount: String
    @OptionGroup var notify: NotifyOptions
    @OptionGroup var address: SandboxAddress
    func run() throws {
        try address.call("trades/\(outTradeNo)/pay", notify.fields.merging(["total_amount": amount]) { $1 })
    }
}

struct FinishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "finish", abstract: "The trade finishes (TRADE_FINISHED: no refunds any more).")
    @Argument(help: "The merchant's out_trade_no.") var outTradeNo: String
    @OptionGroup var notify: NotifyOptions
    @OptionGroup var address: SandboxAddress
    func run() throws { try address.call("trades/\(outTradeNo)/finish", notify.fields) }
}

struct CloseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "An unpaid trade times out (TRADE_CLOSED).")
    @Argument(help: "The merchant's out_trade_no.") var outTradeNo: String
    @OptionGroup var notify: NotifyOptions
    @OptionGroup var address: SandboxAddress
    func run() throws { try address.call("trades/\(outTradeNo)/close", notify.fields) }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a trade as the sandbox keeps it.")
    @Argument(help: "The merchant's out_trade_no.") var outTradeNo: String
    @OptionGroup var address: SandboxAddress
    func run() throws { try address.call("trades/\(outTradeNo)/show") }
}

struct FaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault",
        abstract: "Arm a fault for one trade (or '*': the next calls about any trade) and method: busy, rate-limited, unsigned, forged, slow, doubled, escaped-slashes, unicode-escapes, another-trade (with --other); or --clear them all.")
    @Argument(help: "The merchant's out_trade_no, or '*' for any trade.") var outTradeNo: String?
    @Argument(help: "The gateway method, e.g. alipay.trade.query.") var method: String?
    @Argument(help: "The fault.") var fault: String?
    @Option(help: "Calls it applies to (0: until cleared).") var times = 1
    @Option(name: .customLong("delay-seconds"), help: "For slow: how long the answer waits.") var delaySeconds: Double = 30
    @Option(help: ArgumentHelp("For another-trade: the out_trade_no whose true answer is given instead.", valueName: "OUT_TRADE_NO")) var other: String?
    @Option(name: .customLong("other-request-no"), help: ArgumentHelp("For another-trade on a refund query: the refund request answered instead.", valueName: "ID"))
    var otherRequestNo: String?
    @Flag(help: "Disarm every fault.") var clear = false
    @OptionGroup var address: SandboxAddress
    func run() throws {
        if clear { return try address.call("faults/clear") }
        guard let outTradeNo, let method, let fault else { throw ValidationError("give OUT_TRADE_NO METHOD FAULT, or --clear") }
        var body: [String: Any] = ["out_trade_no": outTradeNo, "method": method, "fault": fault, "times": times, "delay_seconds": delaySeconds]
        if let other { body["other"] = other }
        if let otherRequestNo { body["other_request_no"] = otherRequestNo }
        try address.call("faults", body)
    }
}

struct CallsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "calls", abstract: "List the gateway calls answered, with counts per method.")
    @Option(name: .customLong("out-trade-no"), help: "Only this trade's.") var outTradeNo: String?
    @OptionGroup var address: SandboxAddress
    func run() throws { try address.call("calls" + (outTradeNo.map { "?out_trade_no=\($0)" } ?? "")) }
}
