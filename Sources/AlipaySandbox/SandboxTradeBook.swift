import AlipayNotify
import Locking

/// The sandbox's state: its trades, the faults armed for them, and every
/// gateway call it answered (for tests that count calls). Shared by the
/// event-loop threads, behind one lock.
public final class SandboxTradeBook: Sendable {
    /// One gateway call as the sandbox answered it.
    public struct Call: Sendable, Equatable {
        public let method: String
        public let outTradeNo: String?
        public let code: String
        public let subCode: String?
        public let fault: String?
        public let at: String
        /// When the request arrived, in seconds since 1970 (to the
        /// microsecond): what a test of the callers' pace reads.
        public let receivedAt: Double
    }

    private struct State {
        var trades: [String: SandboxTrade] = [:]
        var faults: [ArmedFault] = []
        var calls: [Call] = []
        var nextTradeNumber = 1
        var signedAnswers = 0
    }

    private let state = Locked(State())

    public init() {}

    /// Creates a trade waiting for payment (Alipay creates one when the buyer
    /// starts paying); an existing trade is returned as it is.
    @discardableResult
    public func create(_ outTradeNo: String, totalAmount: Fen) -> SandboxTrade {
        state.withLock { state in
            if let existing = state.trades[outTradeNo] { return existing }
            let counter = String(state.nextTradeNumber)
            let tradeNo = "2024060322001" + String(repeating: "0", count: max(0, 15 - counter.count)) + counter
            state.nextTradeNumber += 1
            let trade = SandboxTrade(outTradeNo: outTradeNo, tradeNo: tradeNo, totalAmount: totalAmount, status: .waitBuyerPay)
            state.trades[outTradeNo] = trade
            return trade
        }
    }

    public func trade(_ outTradeNo: String) -> SandboxTrade? {
        state.withLock { $0.trades[outTradeNo] }
    }

    /// Applies `change` to the trade and returns the result; nil without the trade.
    @discardableResult
    public func update(_ outTradeNo: String, _ change: (inout SandboxTrade) -> Void) -> SandboxTrade? {
        state.withLock { state in
            guard var trade = state.trades[outTradeNo] else { return nil }
            change(&trade)
            state.trades[outTradeNo] = trade
            return trade
        }
    }

    func arm(_ fault: ArmedFault) {
        state.withLock { $0.faults.append(fault) }
    }

    /// Disarms every fault.
    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// The fault armed for this call (for its trade, or for any trade:
    /// `ArmedFault.anyTrade`), the first armed first, used up by one.
    func takeFault(outTradeNo: String?, method: String) -> ArmedFault? {
        guard let outTradeNo else { return nil }
        return state.withLock { state in
            guard let index = state.faults.firstIndex(where: {
                ($0.outTradeNo == outTradeNo || $0.outTradeNo == ArmedFault.anyTrade) && $0.method == method
            }) else { return nil }
            let fault = state.faults[index]
            if let remaining = fault.remaining {
                if remaining <= 1 { state.faults.remove(at: index) } else { state.faults[index].remaining = remaining - 1 }
            }
            return fault
        }
    }

    /// Counts one signed gateway answer; its number, from 1.
    func countSignedAnswer() -> Int {
        state.withLock { state in
            state.signedAnswers += 1
            return state.signedAnswers
        }
    }

    func log(_ call: Call) {
        state.withLock { $0.calls.append(call) }
    }

    /// Every call answered, oldest first; for one trade when given.
    public func calls(outTradeNo: String? = nil) -> [Call] {
        state.withLock { state in state.calls.filter { outTradeNo == nil || $0.outTradeNo == outTradeNo } }
    }
}
