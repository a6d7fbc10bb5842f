import AlipayOpenAPI
import Foundation
import Ledger
import Logging
import Observability

/// Every call the reconciler, the refunder, payment serials and operator
/// refunds make, made one way: each waits for its turn (`GatewayTurns`:
/// `gateway-concurrency` at once, `gateway-rate` per second, refunds and
/// closes first), is counted for the metrics by method and result, and
/// slows the pace when Alipay says the app calls too often.
package struct PacedGateway: GatewayCalling {
    let client: any GatewayCalling
    let turns: GatewayTurns
    let metrics: Metrics
    let logger: Logger

    package init(client: any GatewayCalling, turns: GatewayTurns, metrics: Metrics, logger: Logger) {
        self.client = client
        self.turns = turns
        self.metrics = metrics
        self.logger = logger
    }

    package var callSeconds: Double { client.callSeconds }
    package var gatewayURL: String { client.gatewayURL }

    package func call(_ request: GatewayRequest, outTradeNo: String) -> GatewayAnswer {
        let answer = turns.take(GatewayCallPriority(request.method)) { client.call(request, outTradeNo: outTradeNo) }
        metrics.countGatewayCall(method: answer.method.rawValue, result: answer.resultLabel)
        if case .refusal(let refusal) = answer.outcome, refusal.kind == .rateLimited {
            turns.slowDown()
            logger.warning("Alipay limits the call rate (40005): slowing down to \(turns.currentRate) calls/s",
                           metadata: ["out_trade_no": "\(answer.outTradeNo)", "method": "\(answer.method.rawValue)"])
        }
        return answer
    }
}
