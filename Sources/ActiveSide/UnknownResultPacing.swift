import Ledger
import SystemSupport

/// How often a call whose result is unknown is made again, one rule for the
/// reconciler and the refunder (Alipay's rule: retry for about a minute,
/// then a person): after 1 s, 1 s, 2 s, 4 s… (at most a quarter of
/// `attention-after`); unknown for `attention-after` → `attention`, then
/// every 5 × `attention-after` (at most 30 minutes) until the answer is known.
package struct UnknownResultPacing: Sendable, Equatable {
    let attentionAfter: Duration

    /// The slow pace of something in `attention`.
    var attentionInterval: Double {
        min(ReconciliationPolicy.longestInterval, max(1, attentionAfter.inSeconds * 5))
    }

    /// The pause before asking again after unknown answers for `unknownFor` seconds.
    func retryDelay(unknownFor: Double) -> Double {
        min(max(1, attentionAfter.inSeconds / 4), max(1, unknownFor))
    }

    /// After one more unknown answer at `now`: since when the results have
    /// been unknown, whether that is long enough for a person, and when to
    /// ask next.
    func afterUnknown(unknownSince: String?, now: Double) -> (since: String, needsAttention: Bool, next: Double) {
        let since = unknownSince.flatMap(Timestamp.epochSeconds) ?? now
        let needsAttention = now - since >= attentionAfter.inSeconds
        let next = now + (needsAttention ? attentionInterval : retryDelay(unknownFor: now - since))
        return (Timestamp.of(epochSeconds: since), needsAttention, next)
    }
}
