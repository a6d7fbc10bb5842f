/// A fault the sandbox plays for one trade and one method, so that a client
/// can be tested against the answers Alipay gives on a bad day.
public enum SandboxFault: String, Sendable, CaseIterable {
    /// A signed answer with code 20000 (`isp.unknow-error`): service unavailable.
    case busy
    /// A signed answer with code 40005 (call rate limited): the call was not made.
    case rateLimited = "rate-limited"
    /// The usual answer with no signature.
    case unsigned
    /// The usual answer with a signature that does not verify.
    case forged
    /// The usual answer after a delay (`delay_seconds`, default 30).
    case slow
    /// The response node twice: the first signed, the second claiming
    /// another status (a client that acts on the last one is fooled).
    case doubled
    /// `/` sent as `\/`; the signature covers the text without the escapes,
    /// as Alipay has done.
    case escapedSlashes = "escaped-slashes"
    /// Every non-ASCII character sent as `\uXXXX`, signed as sent.
    case unicodeEscapes = "unicode-escapes"
    /// A true, signed answer about another trade: the answer the method
    /// gives for the fault's `other` out_trade_no (and, for a refund query,
    /// the refund request `other_request_no`), as a mixed-up cache or proxy
    /// would hand it back. A client that does not compare it with its
    /// request decides the asked trade by another's facts.
    case anotherTrade = "another-trade"
}

/// A fault armed for a trade (or for any trade) and a method, for a number of calls.
struct ArmedFault: Sendable {
    /// The `out_trade_no` that arms a fault for the next calls about any
    /// trade: a test that does not know which order a daemon asks about
    /// next can still make that call rate limited.
    static let anyTrade = "*"

    let fault: SandboxFault
    let outTradeNo: String
    let method: String
    /// Calls it still applies to; nil: until cleared.
    var remaining: Int?
    let delaySeconds: Double
    /// For `another-trade`: the trade (and refund request) answered instead.
    var other: (outTradeNo: String, requestNo: String?)? = nil
}
