import ActiveSide
import DaemonSettings
import Foundation
import Ledger
import Logging
import Observability

/// The reconciler's and the refunder's steps over one client and one pace,
/// as a configuration describes them; nil without `app-private-key` (then
/// nothing calls Alipay). The daemon and the commands build them here alike.
///
/// On a ledger other daemons share (PostgreSQL), the pace is shared too:
/// `gateway-rate` is the app's, so every call takes its slot from the
/// ledger's budget for the app (`LedgerGatewayPace`). On SQLite (one
/// daemon) the pace is this process's own.
package struct GatewaySteps: Sendable {
    let reconciliation: ReconciliationStep
    let refunds: RefundStep

    static func make(_ configuration: DaemonConfiguration, keyring: AlipayKeyring? = nil, writer: LedgerWriter, ledgerIsShared: Bool,
                     rules: @escaping @Sendable () -> BusinessRules, metrics: Metrics, logger: Logger) throws(ConfigurationError) -> GatewaySteps? {
        guard configuration.gateway.appPrivateKeyPath != nil else { return nil }
        let client = try AlipayGatewayClient.load(configuration, keyring: keyring, logger: logger)
        let rate = Double(configuration.gateway.callsPerSecond)
        let shared = ledgerIsShared ? configuration.appIDs.first.map { LedgerGatewayPace(writer: writer, appID: $0, callsPerSecond: rate) } : nil
        let gateway = PacedGateway(client: client,
                                   turns: GatewayTurns(concurrency: configuration.gateway.concurrency, callsPerSecond: rate,
                                                       shared: shared, logger: logger),
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
            steps = try GatewaySteps.make(configuration, writer: writer, ledgerIsShared: store.isShared, rules: { rules }, metrics: Metrics(),
                                          logger: logger)
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
