import AlipayNotify
import Ledger
import Locking
import Logging

/// Hands out a new payment serial (`out_trade_no`) for each payment attempt
/// of a business order (Alipay takes one payment per `out_trade_no`, and a
/// failed pre-create needs a new one). The rule: before a new serial is
/// handed out, every earlier serial of the business order that may still be
/// paid is closed at Alipay, none is handed out while an earlier one's result
/// is unknown, and a business order already paid gets none. `POST
/// /business-orders/{id}/payments` and `alipay-notifyd orders new-serial`.
///
/// The rule holds across daemons sharing a ledger (and a command beside a
/// daemon) because it is held in the ledger: a request first takes its
/// business order's claim (`BusinessOrderClaims`, a short transaction), and
/// registers the new serial only while it still holds it. No lock is held
/// across the calls to Alipay, so a slow close holds up its own business
/// order only. A request that finds the claim held is answered at once
/// (`inProgress`, HTTP 409): concurrent requests for one business order
/// are a double click or a client's retry, and waiting would hold one of
/// the admin pool's few threads behind a close that may take several
/// gateway timeouts.
///
/// A serial whose close Alipay answered (closed, or no such trade) is not
/// closed again at every later request, only when something new was
/// recorded about its trade since (a notification or a verified answer), or
/// a call about it was unknown since.
public final class PaymentSerials: Sendable {
    /// What became of a request for a new serial.
    public enum Outcome: Sendable {
        /// The new serial, registered under the business order.
        case created(MerchantOrder)
        /// Not now, and why: the business order is paid, or an earlier
        /// serial's result is unknown (HTTP 409).
        case conflict(String)
        /// Another request for the business order (in this daemon or
        /// another) is closing its serials now: try again shortly (HTTP 409
        /// with `Retry-After`). Nothing was handed out.
        case inProgress(String)
        /// The request itself is wrong (HTTP 400).
        case invalid(String)
        /// The ledger could not be used (HTTP 503).
        case unavailable(String)
    }

    private let writer: LedgerWriter
    /// Nil when the daemon cannot call Alipay (no app-private-key).
    private let step: ReconciliationStep?
    private let policy: ReconciliationPolicy
    private let logger: Logger
    /// This process as a claim owner (`ClaimOwner`); each request adds a number.
    private let owner: String
    private let requests = Locked(0)

    package init(writer: LedgerWriter, step: ReconciliationStep?, policy: ReconciliationPolicy, owner: String, logger: Logger) {
        self.writer = writer
        self.step = step
        self.policy = policy
        self.owner = owner
        self.logger = logger
    }

    /// How long a claim lasts before it must be renewed: the closing of one
    /// earlier serial (a query, a close and a query again) and a margin.
    var leaseSeconds: Double { step?.leaseSeconds ?? 30 }

    /// Closes what is open of `businessOrder`'s earlier serials, then
    /// registers a new serial for `amount`, holding the business order's
    /// claim throughout. Blocks on the calls to Alipay.
    public func newSerial(businessOrder: String, amount: Fen, expiry: OrderExpiry?) -> Outcome {
        do {
            try MerchantOrder.validate(outTradeNo: "serial", totalAmount: amount, businessOrder: businessOrder)
            _ = try expiry?.moment(registeredAt: Timestamp.nowEpochSeconds())
        } catch {
            return .invalid("\(error)")
        }
        let claimant = owner + "/serial-" + String(requests.withLock { count in count += 1; return count })
        let lease = leaseSeconds
        do {
            guard try writer.performAndWait({ store in try store.claimBusinessOrder(businessOrder, owner: claimant, leaseSeconds: lease) }) else {
                return .inProgress(Self.inProgressReason(businessOrder))
            }
        } catch {
            return .unavailable("the ledger is unavailable: \(error)")
        }
        defer { release(businessOrder, claimant: claimant) }
        return create(businessOrder: businessOrder, amount: amount, expiry: expiry, claimant: claimant)
    }

    static func inProgressReason(_ businessOrder: String) -> String {
        "another request for business order \(businessOrder) is in progress, try again shortly"
    }

    private func create(businessOrder: String, amount: Fen, expiry: OrderExpiry?, claimant: String) -> Outcome {
        let known: (paidBy: String?, serials: [BusinessOrderSerial])
        do {
            known = try writer.performAndWait { store in try store.serials(ofBusinessOrder: businessOrder) }
        } catch {
            return .unavailable("the ledger is unavailable: \(error)")
        }
        if let paidBy = known.paidBy {
            return .conflict("business order \(businessOrder) is already paid (serial \(paidBy)); a buyer is never asked to pay twice")
        }
        let lease = leaseSeconds
        for earlier in known.serials where Self.needsClosing(earlier) {
            do {
                guard try writer.performAndWait({ store in try store.renewBusinessOrderClaim(businessOrder, owner: claimant, leaseSeconds: lease) }) else {
                    return .inProgress(Self.inProgressReason(businessOrder))
                }
            } catch {
                return .unavailable("the ledger is unavailable: \(error)")
            }
            if let refusal = close(earlier.reconciliation, businessOrder: businessOrder) { return .conflict(refusal) }
        }
        return register(businessOrder: businessOrder, amount: amount, expiry: expiry, taken: known.serials.count, claimant: claimant)
    }

    /// Whether an earlier serial is closed (again) before a new one is
    /// handed out: when a buyer might still pay it, unless Alipay answered
    /// its close already and nothing was recorded about its trade since.
    static func needsClosing(_ serial: BusinessOrderSerial) -> Bool {
        let reconciliation = serial.reconciliation
        guard mayStillBePaid(reconciliation) else { return false }
        // A close decided and not yet known is sent until it is known.
        if reconciliation.closeRequestedAt != nil { return true }
        guard let answered = reconciliation.closeAnsweredAt else { return true }
        if let observed = serial.lastObservedAt, observed >= answered { return true }
        if let unknownSince = reconciliation.unknownSince, unknownSince >= answered { return true }
        return false
    }

    /// An earlier serial a buyer might still pay: open, in attention, or
    /// expired while a late payment is still looked for.
    static func mayStillBePaid(_ serial: OrderReconciliation) -> Bool {
        switch serial.order.state {
        case .open, .attention: return true
        case .expired: return serial.nextQueryAt != nil
        case .paid, .closed: return false
        }
    }

    /// Closes one earlier serial at Alipay; the reason no new serial may be
    /// handed out, or nil when its result is known and unpaid.
    private func close(_ earlier: OrderReconciliation, businessOrder: String) -> String? {
        let outTradeNo = earlier.order.outTradeNo
        guard let step else {
            return "serial \(outTradeNo) of business order \(businessOrder) is still open and this daemon cannot ask Alipay about it (set app-private-key): its result is unknown, so no new serial"
        }
        let result = step.run(earlier, owner: nil, closeFirst: true)
        switch result.finding {
        case .closed(paid: false), .noSuchTrade:
            logger.info("closed serial \(outTradeNo) of business order \(businessOrder) before a new payment attempt",
                        metadata: ["out_trade_no": "\(outTradeNo)", "business_order": "\(businessOrder)"])
            return nil
        case .paid, .closed(paid: true):
            return "business order \(businessOrder) is already paid (serial \(outTradeNo), found when closing it); a buyer is never asked to pay twice"
        case .rejected(let reason):
            return "serial \(outTradeNo): Alipay's answer was refused by the order's checks (\(reason)); a person must look (alipay-notifyd trade show \(outTradeNo))"
        case .unknown(let reason):
            return "the result of serial \(outTradeNo) is unknown right now (\(reason)): a buyer is not asked to pay again until it is known; try again shortly"
        case .waiting, .notClosable:
            return "serial \(outTradeNo) could not be closed at Alipay; its result is unknown right now: try again shortly"
        }
    }

    private func register(businessOrder: String, amount: Fen, expiry: OrderExpiry?, taken: Int, claimant: String) -> Outcome {
        let prefix = Self.serialPrefix(businessOrder)
        let lease = leaseSeconds
        for number in (taken + 1)...(taken + 100) {
            let planned: (order: MerchantOrder, firstQueryAt: String)
            do {
                planned = try policy.newOrder(outTradeNo: "\(prefix)-\(number)", amount: amount, businessOrder: businessOrder, expiry: expiry)
            } catch {
                return .invalid("\(error)")
            }
            let registration: SerialRegistration
            do {
                registration = try writer.performAndWait { store in
                    try store.addSerial(planned.order, firstQueryAt: planned.firstQueryAt, claimedBy: claimant, leaseSeconds: lease)
                }
            } catch let error as OrderError {
                return .invalid("\(error)")
            } catch {
                return .unavailable("the ledger could not record the serial: \(error)")
            }
            switch registration {
            case .added:
                logger.info("new payment serial \(planned.order.outTradeNo) for business order \(businessOrder), amount \(amount)",
                            metadata: ["out_trade_no": "\(planned.order.outTradeNo)", "business_order": "\(businessOrder)"])
                return .created(planned.order)
            case .taken:
                continue
            case .claimLost:
                // The lease ran out while Alipay was asked, and another request took the claim.
                return .inProgress(Self.inProgressReason(businessOrder))
            }
        }
        return .unavailable("no free serial number for business order \(businessOrder)")
    }

    /// Lets the business order's claim go; when the ledger cannot be
    /// reached now, its lease runs out by itself.
    private func release(_ businessOrder: String, claimant: String) {
        do {
            try writer.performAndWait { store in try store.releaseBusinessOrderClaim(businessOrder, owner: claimant) }
        } catch {
            logger.warning("cannot let go of the claim on business order \(businessOrder): \(error); it runs out within \(Int(leaseSeconds)) s",
                           metadata: ["business_order": "\(businessOrder)"])
        }
    }

    /// The business order itself when it is a short plain id, else a hash of it:
    /// an `out_trade_no` is at most 64 bytes of letters, digits and punctuation.
    static func serialPrefix(_ businessOrder: String) -> String {
        let plain = businessOrder.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D
        }
        if plain && businessOrder.utf8.count <= 48 { return businessOrder }
        let hash = StableHash.fnv1a(businessOrder.utf8)
        return "BO" + String(hash, radix: 16)
    }
}
