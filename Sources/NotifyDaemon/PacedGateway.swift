import Foundation
import Ledger
import Logging

/// Every call the reconciler and the refunder make, made one way: at the
/// pace `gateway-rate` allows (slower after a `40005`), counted for the
/// metrics by method and result.
struct PacedGateway: Sendable {
    let client: AlipayGatewayClient
    let limiter: GatewayRateLimiter
    let metrics: Metrics
    let logger: Logger

    /// How long one call may take, with a margin: a claim is kept this long
    /// per call still to make.
    var callSeconds: Double { client.transport.configuration.totalTimeout.inSeconds + 5 }

    /// Waits for the turn, makes the call, counts it, and slows down when
    /// Alipay says the app calls too often.
    func call(_ make: (AlipayGatewayClient) -> GatewayAnswer) -> GatewayAnswer {
        limiter.acquire()
        let answer = make(client)
        metrics.countGatewayCall(answer)
        if case .refusal(let refusal) = answer.outcome, refusal.kind == .rateLimited {
            limiter.slowDown()
            logger.warning("Alipay limits the call rate (40005): slowing down to \(limiter.currentRate) calls/s",
                           metadata: ["out_trade_no": "\(answer.outTradeNo)", "method": "\(answer.method.rawValue)"])
        }
        return answer
    }
}

/// The reconciler's and the refunder's steps over one client and one pace,
/// as a configuration describes them; nil without `app-private-key` (then
/// nothing calls Alipay). The daemon and the commands build them here alike.
struct GatewaySteps: Sendable {
    let reconciliation: ReconciliationStep
    let refunds: RefundStep

    static func make(_ configuration: DaemonConfiguration, writer: LedgerWriter, rules: @escaping @Sendable () -> BusinessRules,
                     metrics: Metrics, logger: Logger) throws(ConfigurationError) -> GatewaySteps? {
        guard configuration.gateway.appPrivateKeyPath != nil else { return nil }
        let gateway = PacedGateway(client: try AlipayGatewayClient.load(configuration),
                                   limiter: GatewayRateLimiter(callsPerSecond: Double(configuration.gateway.callsPerSecond)),
                                   metrics: metrics, logger: logger)
        return GatewaySteps(
            reconciliation: ReconciliationStep(writer: writer, gateway: gateway, policy: configuration.reconciliation, rules: rules),
            refunds: RefundStep(writer: writer, gateway: gateway, policy: configuration.refundPolicy, rules: rules))
    }
}

/// What a command (`orders new-serial`, `refund`) uses to record and call:
/// a ledger writer over the store (shut it down when done), and payment
/// serials and refunds that call Alipay when app-private-key is set.
public struct CommandDesk: Sendable {
    public let writer: LedgerWriter
    public let serials: PaymentSerials
    public let refunds: OperatorRefunds

    public static func open(_ configuration: DaemonConfiguration, store: any LedgerStore,
                            logger: Logger) throws(ConfigurationError) -> CommandDesk {
        let writer = LedgerWriter(store: store, logger: logger)
        let rules = configuration.businessRules
        let steps: GatewaySteps?
        do {
            steps = try GatewaySteps.make(configuration, writer: writer, rules: { rules }, metrics: Metrics(), logger: logger)
        } catch {
            writer.shutdown()
            throw error
        }
        let owner = "cli:\(ProcessInfo.processInfo.hostName):\(getpid())"
        return CommandDesk(writer: writer,
                           serials: PaymentSerials(writer: writer, step: steps?.reconciliation, policy: configuration.reconciliation, logger: logger),
                           refunds: OperatorRefunds(writer: writer, step: steps?.refunds, owner: owner, logger: logger))
    }
}
