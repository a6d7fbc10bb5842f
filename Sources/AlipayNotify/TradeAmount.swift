/// The amounts one trade (or one refund of it) may have: Alipay takes
/// 0.01 to 100,000,000.00 yuan. An order outside that range could never be
/// paid, so every entry point (the CLI, the admin API, payment serials, the
/// ledger itself) refuses it with the same words, and both schemas refuse it
/// again.
public enum TradeAmount {
    /// The smallest amount, in fen.
    public static let minimumFen: Int64 = 1
    /// The largest amount, in fen (100,000,000.00 yuan).
    public static let maximumFen: Int64 = 10_000_000_000

    public static var range: ClosedRange<Fen> { Fen(minimumFen)...Fen(maximumFen) }

    /// Nil when `amount` is in the range; else what is wrong, naming `what`
    /// (e.g. "total_amount") and the range.
    public static func problem(_ amount: Fen, what: String = "the amount") -> String? {
        guard !range.contains(amount) else { return nil }
        return "\(what) \(amount) is outside \(range.lowerBound) to \(range.upperBound) yuan, the amounts Alipay takes for one trade"
    }
}
