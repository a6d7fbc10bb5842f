import AlipayNotify
import AlipayOpenAPI
import Ledger
import Logging
import Observability

/// Works on one order while holding its claim: asks Alipay (or closes, when
/// a close was decided), records each call with what it established and the
/// order's next schedule in one transaction, and goes on at once when the
/// policy says so (a waiting order at its expiry is closed; a close refused
/// because the trade is paid or closed is followed by a query). The
/// reconciler and the payment serials use it alike.
package struct ReconciliationStep: Sendable {
    let writer: LedgerWriter
    package let gateway: any GatewayCalling
    let policy: ReconciliationPolicy
    /// The business checks in force (they follow a reload).
    let rules: @Sendable () -> BusinessRules
    let metrics: Metrics
    let logger: Logger

    package init(writer: LedgerWriter, gateway: any GatewayCalling, policy: ReconciliationPolicy, rules: @escaping @Sendable () -> BusinessRules, metrics: Metrics, logger: Logger) {
        self.writer = writer
        self.gateway = gateway
        self.policy = policy
        self.rules = rules
        self.metrics = metrics
        self.logger = logger
    }

    var callSeconds: Double { gateway.callSeconds }

    /// The lease a claim needs: a query, a close and a query again.
    package var leaseSeconds: Double { callSeconds * 3 + 30 }

    /// What the order's state was after the last call, and what that call established.
    package struct Result: Sendable {
        package let state: OrderState
        package let finding: ReconciliationPolicy.Finding
    }

    /// Works on `order` until the policy lets it go. With `closeFirst`, a
    /// close is decided (and recorded) before anything is asked.
    package func run(_ order: OrderReconciliation, owner: String?, closeFirst: Bool = false) -> Result {
        var order = order
        var kind: ReconciliationPolicy.CallKind = order.closeRequestedAt != nil || closeFirst ? .close : .query
        let outTradeNo = order.order.outTradeNo
        for _ in 0..<4 {
            if kind == .close && order.closeRequestedAt == nil {
                // Recorded before it is sent: a restart sends the same close again.
                let retryAt = Timestamp.fromNow(seconds: callSeconds)
                do {
                    guard try writer.performAndWait({ store in try store.requestClose(outTradeNo, owner: owner, retryAt: retryAt) }) else {
                        // Paid or closed meanwhile (or another daemon holds the claim): nothing to close.
                        let now = try writer.performAndWait { store in try store.reconciliation(outTradeNo) }
                        let state = now?.order.state ?? order.order.state
                        switch state {
                        case .paid: return Result(state: state, finding: .paid)
                        case .closed: return Result(state: state, finding: .closed(paid: false))
                        default: return Result(state: state, finding: .unknown("another daemon is working on this order"))
                        }
                    }
                } catch {
                    logger.error("cannot record the decision to close \(outTradeNo): \(error)", metadata: ["out_trade_no": "\(outTradeNo)"])
                    return Result(state: order.order.state, finding: .unknown("the ledger could not record the close: \(error)"))
                }
                order.closeRequestedAt = Timestamp.now()
            }
            let answer = kind == .query ? gateway.query(outTradeNo) : gateway.close(outTradeNo)
            let observation = answer.observation(orderAmount: order.order.totalAmount)
            let accepted = answer.submission(orderAmount: order.order.totalAmount, rules: rules())
            let decided: (finding: ReconciliationPolicy.Finding, update: OrderScheduleUpdate, followUp: ReconciliationPolicy.FollowUp?)
            do {
                decided = try writer.performAndWait { [order, kind, policy, callSeconds] store in
                    var decision: (ReconciliationPolicy.Finding, OrderScheduleUpdate, ReconciliationPolicy.FollowUp?)?
                    try store.recordGatewayCall(answer.ledgerRecord, observation: accepted, owner: owner) { outcome in
                        let finding = Self.finding(answer, kind: kind, observation: observation, recorded: outcome)
                        let (update, followUp) = policy.decide(order, method: kind, finding: finding, now: Timestamp.nowEpochSeconds(),
                                                               owner: owner, holdFor: callSeconds * 2)
                        decision = (finding, update, followUp)
                        return .order(update)
                    }
                    return decision!
                }
            } catch {
                // The claim runs out and the order is asked about again.
                logger.error("cannot record the answer about \(outTradeNo) (call \(answer.callID)): \(error)",
                             metadata: ["out_trade_no": "\(outTradeNo)"])
                return Result(state: order.order.state, finding: .unknown("the ledger could not record the answer: \(error)"))
            }
            log(answer, order: order, decided.finding, decided.update)
            if decided.update.state == .attention && order.order.state != .attention {
                metrics.ordersToAttention.add(1, ordering: .relaxed)
            }
            order.order.state = decided.update.state
            order.nextQueryAt = decided.update.nextQueryAt
            order.queries = decided.update.queries
            order.unknownSince = decided.update.unknownSince
            order.closeRequestedAt = decided.update.closeRequestedAt
            guard let followUp = decided.followUp else {
                return Result(state: decided.update.state, finding: decided.finding)
            }
            kind = followUp == .close ? .close : .query
        }
        return Result(state: order.order.state, finding: .unknown("too many calls in a row"))
    }

    /// What a call established, once its observation (if any) was recorded.
    static func finding(_ answer: GatewayAnswer, kind: ReconciliationPolicy.CallKind,
                        observation: Swift.Result<TradeObservation, TradeQueryAnswerError>?, recorded: LedgerOutcome?) -> ReconciliationPolicy.Finding {
        switch answer.outcome {
        case .success:
            guard case .success(let stated)? = observation else {
                if case .failure(let error)? = observation { return .unknown("a verified answer that decides nothing: \(error)") }
                return .unknown("a verified answer without a trade status")
            }
            switch recorded {
            case .rejected(let reason)?:
                return .rejected("\(reason)")
            case .unavailable(let reason)?:
                return .unknown(reason)
            case nil:
                return .unknown("not recorded")
            case .recorded(let decision)?:
                return finding(stated, paid: decision.trade.paid)
            case .duplicate?:
                return finding(stated, paid: stated.gmtPayment != nil)
            }
        case .refusal(let refusal):
            switch refusal.kind {
            case .noSuchTrade:
                return .noSuchTrade
            case .businessRefusal where kind == .close && refusal.subCode == "ACQ.TRADE_STATUS_ERROR":
                return .notClosable
            default:
                return .unknown("\(refusal)")
            }
        case .unknown(let reason):
            return .unknown("\(reason)")
        }
    }

    private static func finding(_ stated: TradeObservation, paid: Bool) -> ReconciliationPolicy.Finding {
        switch stated.tradeStatus {
        case .tradeSuccess, .tradeFinished: return .paid
        case .tradeClosed: return .closed(paid: paid)
        case .waitBuyerPay: return .waiting
        }
    }

    private func log(_ answer: GatewayAnswer, order: OrderReconciliation, _ finding: ReconciliationPolicy.Finding, _ update: OrderScheduleUpdate) {
        var metadata: Logger.Metadata = ["out_trade_no": "\(update.outTradeNo)", "method": "\(answer.method.rawValue)",
                                         "result": "\(answer.outcome.code)", "state": "\(update.state.rawValue)", "call": "\(answer.callID)"]
        if let next = update.nextQueryAt { metadata["next_query_at"] = "\(next)" }
        let what: String
        switch finding {
        case .paid: what = "paid"
        case .closed(let paid): what = paid ? "closed after a refund" : "closed unpaid"
        case .waiting: what = "waiting for the buyer"
        case .noSuchTrade: what = "no such trade at Alipay"
        case .notClosable: what = "not closable (paid or closed already): asking what it is"
        case .rejected(let reason): what = "an answer the order's checks refused (\(reason))"
        case .unknown(let reason): what = "unknown (\(reason))"
        }
        let verb = answer.method == .tradeClose ? "closing" : "asked Alipay about"
        let text = "\(verb) \(update.outTradeNo): \(what); order \(update.state.rawValue)"
            + (update.nextQueryAt.map { ", next query at \($0)" } ?? "")
        if update.state == .attention && order.order.state != .attention {
            logger.warning("\(text): unknown or refused for \(policy.attentionAfter) or more, a person should look (alipay-notifyd trade show \(update.outTradeNo))",
                           metadata: metadata)
        } else if case .unknown = finding {
            logger.notice("\(text)", metadata: metadata)
        } else {
            logger.info("\(text)", metadata: metadata)
        }
    }
}
