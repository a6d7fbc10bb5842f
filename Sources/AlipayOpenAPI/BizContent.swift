import AlipayNotify

/// The `biz_content` parameter: a JSON object of one call's business
/// parameters, written member by member in the order given. Strings are
/// escaped by `JSONText.string`; amounts are written from `Fen` as decimal
/// strings (`"88.88"`), so no amount ever passes through floating point.
public struct BizContent: Sendable, Equatable {
    struct Member: Sendable, Equatable {
        let key: String
        /// The member's value as JSON text.
        let json: String
        /// The value before it was written as JSON.
        let text: String
    }

    private(set) var members: [Member] = []

    public init() {}

    /// Adds a text member. An empty text is left out (as the SDKs do), so an
    /// optional parameter can be passed through as it is.
    public mutating func add(_ key: String, _ text: String?) {
        guard let text, !text.isEmpty else { return }
        members.append(Member(key: key, json: JSONText.string(text), text: text))
    }

    /// Adds an amount of money as a decimal string with two fraction digits.
    public mutating func add(_ key: String, amount: Fen) {
        members.append(Member(key: key, json: JSONText.string(amount.description), text: amount.description))
    }

    /// The value given for `key`, or nil when none was.
    public func text(_ key: String) -> String? {
        members.first { $0.key == key }?.text
    }

    /// The JSON object text, e.g. `{"out_trade_no":"20150320010101001"}`.
    public var json: String {
        "{" + members.map { JSONText.string($0.key) + ":" + $0.json }.joined(separator: ",") + "}"
    }
}
