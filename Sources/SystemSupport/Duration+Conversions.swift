extension Duration {
    /// Whole nanoseconds (truncated), for comparing with
    /// `MonotonicClock.nanoseconds()`.
    public var inNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Whole milliseconds (truncated), for `poll(2)` timeouts and the like.
    public var inMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// Seconds with their fraction, for `DispatchTime` and `Date` arithmetic.
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
