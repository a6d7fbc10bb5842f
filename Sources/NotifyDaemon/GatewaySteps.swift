import ActiveSide
import DaemonSettings
import Foundation
import Ledger
import Logging
import Observability

/// The reconciler's and the refunder's steps over one client and one pace,
/// as a configuration describes them; nil without `app-private-key` (then
/// nothing calls Alipay). The daemon and the commands build them here alike.
package struct GatewaySteps: Sendable {
    let reconciliation: ReconciliationStep
    let refunds: RefundStep

    static func make(_ configuration: DaemonConfiguration, writer: LedgerWriter, rules: @escaping @Sendable () -> BusinessRules,
                     metrics: Metrics, logger: Logger) throws(ConfigurationError) -> GatewaySteps? {
        guard configuration.gateway.appPrivateKeyPath != nil else { return nil }
        let gateway = PacedGateway(client: try AlipayGatewayClient.load(configuration),
                                   turns: GatewayTurns(concurrency: configuration.gateway.concurrency,
                                                       callsPerSecond: Double(configuration.gateway.callsPerSecond)),
                                   metrics: metrics, logger: logger)
        return GatewaySteps(
            reconciliation: ReconciliationStep(writer: writer, gateway: gateway, policy: configuration.reconciliation, rules: rules,
                                               metrics: metrics, logger: logger),
            refunds: RefundStep(writer: writer, gateway: gateway, policy: configuration.refundPolicy, rules: rules,
                                metrics: metrics, logger: logger))
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
        let owner = ClaimOwner.command
        return CommandDesk(writer: writer,
                           serials: PaymentSerials(writer: writer, step: steps?.reconciliation, policy: configuration.reconciliation,
                                                   owner: owner, logger: logger),
                           refunds: OperatorRefunds(writer: writer, step: steps?.refunds, owner: owner, logger: logger))
    }
}
