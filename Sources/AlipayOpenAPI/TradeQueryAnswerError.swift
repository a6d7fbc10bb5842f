/// Why a verified `alipay.trade.query` success cannot become an observation.
/// Alipay signed it, so each of these is a surprise for a person to look at,
/// never a reason to guess (and never a crash).
public enum TradeQueryAnswerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The success answers another method.
    case notATradeQuery(GatewayMethod)
    case missingField(String)
    case malformedAmount(field: String, value: String)
    case unknownTradeStatus(String)
    /// The answer is about another order than the one asked about.
    case anotherOrder(asked: String, answered: String)

    public var description: String {
        switch self {
        case .notATradeQuery(let method):
            return "the answer is to \(method.rawValue), not alipay.trade.query"
        case .missingField(let name):
            return "the signed trade query answer has no '\(name)'"
        case .malformedAmount(let field, let value):
            return "the signed trade query answer has \(field) '\(value)', which is not an amount in yuan with at most two decimals"
        case .anotherOrder(let asked, let answered):
            return "the signed answer is about \(answered), but \(asked) was asked about"
        case .unknownTradeStatus(let status):
            return "the signed trade query answer has trade_status '\(status)', which is none of WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_FINISHED, TRADE_CLOSED"
        }
    }
}
