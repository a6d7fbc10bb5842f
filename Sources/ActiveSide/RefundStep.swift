import AlipayNotify
import AlipayOpenAPI
import Ledger
import Logging
import Observability

/// Works on one refund request while holding its claim: counts the attempt
/// (and, for a refund call, keeps its time: from then on it may have reached
/// Alipay) before the call, makes the call the request says is next (the
/// refund, always with the request's own `out_request_no` and amount, or
/// the refund query), and records the call, what it established about the
/// trade, and the request's next state in one transaction. The refunder,
/// `alipay-notifyd refund` and the admin listener use it alike.
package struct RefundStep: Sendable {
    let writer: LedgerWriter
    let gateway: any GatewayCalling
    let policy: RefundPolicy
    /// The business checks in force (they follow a reload).
    let rules: @Sendable () -> BusinessRules
    let metrics: Metrics
    let logger: Logger

    package init(writer: LedgerWriter, gateway: any GatewayCalling, policy: RefundPolicy, rules: @escaping @Sendable () -> BusinessRules, metrics: Metrics, logger: Logger) {
        self.writer = writer
        self.gateway = gateway
        self.policy = policy
        self.rules = rules
        self.metrics = metrics
        self.logger = logger
    }

    var callSeconds: Double { gateway.callSeconds }

    /// A claim covers a query and a refund.
    package var leaseSeconds: Double { callSeconds * 2 + 30 }

    /// Works on `request` until the policy lets it go; the request as it
    /// stands afterwards.
    package func run(_ request: RefundRequest, owner: String?) -> RefundRequest {
        var request = request
        let name = "\(request.outTradeNo) \(request.requestNo)"
        for _ in 0..<3 {
            let call = request.nextCall
            do {
                let current = request
                guard try writer.performAndWait({ store in try store.beginRefundAttempt(current, call: call, owner: owner) }) else {
                    // Final already, or another daemon holds it now.
                    return try writer.performAndWait { store in
                        try store.refundRequest(outTradeNo: current.outTradeNo, requestNo: current.requestNo)
                    } ?? request
                }
            } catch {
                logger.error("cannot record an attempt of refund \(name): \(error)", metadata: ["out_trade_no": "\(request.outTradeNo)"])
                return request
            }
            let current = request
            let answer = call == .refund ? gateway.refund(current) : gateway.refundQuery(current)
            var finding = Self.finding(answer, call: call)
            let amount: Fen?
            do {
                amount = try tradeAmount(answer, request)
            } catch {
                // Nothing recorded: the claim runs out and the refund is sent again with
                // its out_request_no, which Alipay answers as the same refund.
                logger.error("cannot read the amount of \(request.outTradeNo) to record its refund answer (call \(answer.callID)); it is asked again: \(error)",
                             metadata: ["out_trade_no": "\(request.outTradeNo)"])
                return request
            }
            let accepted = answer.submission(orderAmount: amount, rules: rules())
            if call == .refund, case .success = answer.outcome, accepted == nil {
                // A refund is recorded with what it did to the trade, or not at all.
                let why: String
                if case .failure(let error)? = answer.observation(orderAmount: amount) { why = "\(error)" } else { why = "the ledger knows no amount of the trade" }
                finding = .unknown("a verified refund answer that cannot be read as the trade's refunded total (\(why))")
            }
            let (update, followUp) = policy.decide(request, call: call, finding: finding, now: Timestamp.nowEpochSeconds(),
                                                   owner: owner, holdFor: callSeconds)
            do {
                try writer.performAndWait { store in
                    try store.recordGatewayCall(answer.ledgerRecord, observation: accepted, owner: owner) { _ in .refund(update) }
                }
            } catch {
                logger.error("cannot record the answer about refund \(name) (call \(answer.callID)): \(error)",
                             metadata: ["out_trade_no": "\(request.outTradeNo)"])
                return request
            }
            log(request, answer, finding, update)
            if update.state == .attention && request.state != .attention {
                metrics.refundsToAttention.add(1, ordering: .relaxed)
            }
            request.state = update.state
            request.nextCall = update.nextCall
            request.nextAttemptAt = update.nextAttemptAt
            request.unknownSince = update.unknownSince
            request.lastAnswer = update.lastAnswer
            request.subCode = update.subCode
            request.attempts += 1
            if call == .refund { request.sentAt = Timestamp.now() }
            guard followUp != nil else { return request }
        }
        return request
    }

    /// The trade's amount, which a verified refund success needs to be read
    /// as an observation; read from the ledger only then (nil otherwise, or
    /// when the ledger knows no amount of the trade).
    private func tradeAmount(_ answer: GatewayAnswer, _ request: RefundRequest) throws -> Fen? {
        guard answer.method == .tradeRefund, case .success = answer.outcome else { return nil }
        return try writer.performAndWait { store in
            try store.order(request.outTradeNo)?.totalAmount ?? store.tradeDetails(request.outTradeNo)?.trade?.totalAmount
        }
    }

    /// What a call established about the request.
    static func finding(_ answer: GatewayAnswer, call: RefundCall) -> RefundPolicy.Finding {
        switch answer.outcome {
        case .success(let success):
            if call == .query { return success.refundSucceeded ? .confirmed : .notYet }
            switch success.fundChanged {
            case true?: return .moved
            case false?: return .notMovedNow
            case nil: return .unknown("a verified refund answer without fund_change")
            }
        case .refusal(let refusal):
            switch (refusal.kind, call) {
            case (.businessRefusal, .refund), (.noSuchTrade, .refund):
                return .refused(subCode: refusal.subCode, detail: "\(refusal)")
            case (.noSuchTrade, .query):
                return .notYet
            default:
                return .unknown("\(refusal)")
            }
        case .unknown(let reason):
            return .unknown("\(reason)")
        }
    }

    private func log(_ request: RefundRequest, _ answer: GatewayAnswer, _ finding: RefundPolicy.Finding, _ update: RefundUpdate) {
        let metadata: Logger.Metadata = ["out_trade_no": "\(request.outTradeNo)", "request_no": "\(request.requestNo)",
                                         "amount": "\(request.amount)", "method": "\(answer.method.rawValue)",
                                         "result": "\(answer.outcome.code)", "state": "\(update.state.rawValue)", "call": "\(answer.callID)"]
        let text = "refund \(request.requestNo) of \(request.outTradeNo) (\(request.amount)): \(update.lastAnswer ?? "-"); \(update.state.rawValue)"
            + (update.nextAttemptAt.map { ", next attempt at \($0) (\(update.nextCall.rawValue))" } ?? "")
        switch update.state {
        case .attention where request.state != .attention:
            logger.warning("\(text): unknown for \(policy.attentionAfter) or more, a person should look (alipay-notifyd trade show \(request.outTradeNo); alipay-notifyd refund retry \(request.requestNo))",
                           metadata: metadata)
        case .failed:
            logger.error("\(text): Alipay refused the refund for good", metadata: metadata)
        case .succeeded:
            logger.notice("\(text)", metadata: metadata)
        default:
            if case .unknown = finding { logger.notice("\(text)", metadata: metadata) } else { logger.info("\(text)", metadata: metadata) }
        }
    }
}
