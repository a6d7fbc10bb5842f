import AlipayNotify
import Foundation
import Ledger
import Logging

/// A person's refund, that cannot happen twice by accident: recorded first
/// (after the checks that need no call), then sent with its `out_request_no`;
/// the same `request_no` again is the same refund, reported as it stands.
/// `alipay-notifyd refund` and `POST /trades/{out_trade_no}/refunds`.
public final class OperatorRefunds: Sendable {
    /// What became of a refund asked for.
    public enum Outcome: Sendable {
        /// The request, as it stands after this call (`new`: recorded now;
        /// otherwise a request with this number existed and was not sent again).
        case request(RefundRequest, new: Bool)
        /// Refused before any call, and why.
        case refused(String)
        /// The ledger could not be used.
        case unavailable(String)
    }

    private let writer: LedgerWriter
    /// Nil when this process cannot call Alipay: the request is recorded
    /// and a daemon that can sends it.
    private let step: RefundStep?
    private let owner: String
    private let logger: Logger

    package init(writer: LedgerWriter, step: RefundStep?, owner: String, logger: Logger) {
        self.writer = writer
        self.step = step
        self.owner = owner
        self.logger = logger
    }

    /// Alipay's longest `refund_reason`.
    static let longestReason = 256

    /// Records a refund of `amount` and makes its first attempt.
    public func refund(outTradeNo: String, amount: Fen, reason: String, requestNo: String?) -> Outcome {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.utf8.count <= Self.longestReason else {
            return .refused("a refund needs a reason of 1 to \(Self.longestReason) bytes (Alipay shows it to the buyer)")
        }
        let request = RefundRequest(outTradeNo: outTradeNo, requestNo: requestNo ?? Self.newRequestNo(), amount: amount,
                                    reason: reason, origin: .operator)
        let outcome: RefundRequestOutcome
        do {
            let (owner, lease) = (step == nil ? nil : self.owner, step?.leaseSeconds ?? 0)
            outcome = try writer.performAndWait { store in try store.requestRefund(request, owner: owner, leaseSeconds: lease) }
        } catch {
            return .unavailable("the ledger could not record the refund: \(error)")
        }
        switch outcome {
        case .refused(let reason):
            return .refused(reason)
        case .existing(let existing):
            return .request(existing, new: false)
        case .recorded(let recorded):
            logger.notice("refund \(recorded.requestNo) of \(outTradeNo) (\(amount)) recorded: \(reason)",
                          metadata: ["out_trade_no": "\(outTradeNo)", "request_no": "\(recorded.requestNo)"])
            return .request(step?.run(recorded, owner: owner) ?? recorded, new: true)
        }
    }

    /// Waits until `request` succeeded, failed or needs a person, or
    /// `seconds` passed, working on it whenever it is due and nobody else
    /// holds it; the request as it stands then.
    public func awaitOutcome(_ request: RefundRequest, seconds: Double) -> RefundRequest {
        var request = request
        let deadline = Date().addingTimeInterval(seconds)
        let owner = self.owner
        while !request.state.isFinal && request.state != .attention && Date() < deadline {
            let key = (request.outTradeNo, request.requestNo)
            if let step, let claimed = try? writer.performAndWait({ store in
                try store.claimRefund(outTradeNo: key.0, requestNo: key.1, owner: owner, leaseSeconds: step.leaseSeconds)
            }) {
                request = step.run(claimed, owner: owner)
                continue
            }
            let due = request.nextAttemptAt.flatMap(Timestamp.epochSeconds).map { $0 - Timestamp.nowEpochSeconds() } ?? 0.5
            Thread.sleep(forTimeInterval: min(max(0.2, due), 1, max(0, deadline.timeIntervalSinceNow)))
            if let latest = try? writer.performAndWait({ store in try store.refundRequest(outTradeNo: key.0, requestNo: key.1) }) {
                request = latest
            }
        }
        return request
    }

    /// Makes a pending or `attention` request due now, with a fresh retry
    /// window, and (when this process can call) makes the attempt.
    public func retry(requestNo: String, outTradeNo: String?) -> Outcome {
        let found: [RefundRequest]
        do {
            found = try writer.performAndWait { store in try store.refundRequests(requestNo: requestNo) }
        } catch {
            return .unavailable("the ledger is unavailable: \(error)")
        }
        let matching = found.filter { outTradeNo == nil || $0.outTradeNo == outTradeNo }
        guard let request = matching.first else { return .refused("no refund request \(requestNo)" + (outTradeNo.map { " of \($0)" } ?? "")) }
        guard matching.count == 1 else { return .refused("request_no \(requestNo) names refunds of several trades: give --trade OUT_TRADE_NO") }
        guard !request.state.isFinal else {
            return .refused("refund \(requestNo) has \(request.state.rawValue) already; a final answer is not sent again (a new refund needs a new request_no)")
        }
        let made: (due: Bool, now: RefundRequest?)
        do {
            made = try writer.performAndWait { store in
                let due = try store.retryRefund(outTradeNo: request.outTradeNo, requestNo: request.requestNo)
                return (due, try store.refundRequest(outTradeNo: request.outTradeNo, requestNo: request.requestNo))
            }
        } catch {
            return .unavailable("the ledger is unavailable: \(error)")
        }
        guard made.due, let now = made.now else {
            // Answered meanwhile (by a refunder of this or another daemon).
            let state = made.now?.state.rawValue ?? "gone"
            return .refused("refund \(requestNo) changed meanwhile and is \(state) now; a final answer is not sent again (a new refund needs a new request_no)")
        }
        return .request(now, new: false)
    }

    /// A request number no one has used: `op-` and the time and randomness.
    static func newRequestNo() -> String {
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return "op-\(Int64(Date().timeIntervalSince1970 * 1000))-\(random)"
    }
}

