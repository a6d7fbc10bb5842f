import AlipayNotify
import Ledger
import Locking
import Logging

/// Hands out a new payment serial (`out_trade_no`) for each payment attempt
/// of a business order (Alipay takes one payment per `out_trade_no`, and a
/// failed pre-create needs a new one), never one while an earlier attempt's result is
/// unknown: earlier serials still open are closed at Alipay first, and a
/// business order already paid gets none. `POST
/// /business-orders/{id}/payments` and `alipay-notifyd orders new-serial`.
public final class PaymentSerials: Sendable {
    /// What became of a request for a new serial.
    public enum Outcome: Sendable {
        /// The new serial, registered under the business order.
        case created(MerchantOrder)
        /// Not now, and why: the business order is paid, or an earlier
        /// serial's result is unknown (HTTP 409).
        case conflict(String)
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
    /// One request at a time in this process: two at once for one business
    /// order must not both find the earlier serials closed.
    private let serialized = Locked<Void>(())

    package init(writer: LedgerWriter, step: ReconciliationStep?, policy: ReconciliationPolicy, logger: Logger) {
        self.writer = writer
        self.step = step
        self.policy = policy
        self.logger = logger
    }

    /// Closes what is open of `businessOrder`'s earlier serials, then
    /// registers a new serial for `amount`. Blocks on the calls to Alipay.
    public func newSerial(businessOrder: String, amount: Fen, expiry: OrderExpiry?) -> Outcome {
        do {
            try MerchantOrder.validate(outTradeNo: "serial", totalAmount: amount, businessOrder: businessOrder)
            _ = try expiry?.moment(registeredAt: Timestamp.nowEpochSeconds())
        } catch {
            return .invalid("\(error)")
        }
        return serialized.withLock { _ in create(businessOrder: businessOrder, amount: amount, expiry: expiry) }
    }

    private func create(businessOrder: String, amount: Fen, expiry: OrderExpiry?) -> Outcome {
        let known: (paidBy: String?, serials: [OrderReconciliation])
        do {
            known = try writer.performAndWait { store in try store.serials(ofBusinessOrder: businessOrder) }
        } catch {
            return .unavailable("the ledger is unavailable: \(error)")
        }
        if let paidBy = known.paidBy {
            return .conflict("business order \(businessOrder) is already paid (serial \(paidBy)); a buyer is never asked to pay twice")
        }
        for earlier in known.serials where Self.mayStillBePaid(earlier) {
            if let refusal = close(earlier, businessOrder: businessOrder) { return .conflict(refusal) }
        }
        return register(businessOrder: businessOrder, amount: amount, expiry: expiry, taken: known.serials.count)
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

    private func register(businessOrder: String, amount: Fen, expiry: OrderExpiry?, taken: Int) -> Outcome {
        let prefix = Self.serialPrefix(businessOrder)
        for number in (taken + 1)...(taken + 100) {
            let planned: (order: MerchantOrder, firstQueryAt: String)
            do {
                planned = try policy.newOrder(outTradeNo: "\(prefix)-\(number)", amount: amount, businessOrder: businessOrder, expiry: expiry)
            } catch {
                return .invalid("\(error)")
            }
            do {
                let added = try writer.performAndWait { store in try store.addOrder(planned.order, firstQueryAt: planned.firstQueryAt) }
                if added {
                    logger.info("new payment serial \(planned.order.outTradeNo) for business order \(businessOrder), amount \(amount)",
                                metadata: ["out_trade_no": "\(planned.order.outTradeNo)", "business_order": "\(businessOrder)"])
                    return .created(planned.order)
                }
            } catch is OrderError {
                continue
            } catch {
                return .unavailable("the ledger could not record the serial: \(error)")
            }
        }
        return .unavailable("no free serial number for business order \(businessOrder)")
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

