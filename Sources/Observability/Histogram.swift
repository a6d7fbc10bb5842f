import Synchronization
import Locking

/// A Prometheus histogram: counts per upper bound, their sum and count.
/// Observed from several threads; one small lock, held for a few adds.
package final class Histogram: Sendable {
    let bounds: [Double]
    private let state: Locked<(buckets: [Int], sum: Double, count: Int)>

    init(bounds: [Double]) {
        self.bounds = bounds
        state = Locked((Array(repeating: 0, count: bounds.count), 0, 0))
    }

    package func observe(_ value: Double) {
        let index = bounds.firstIndex { value <= $0 }
        state.withLock { state in
            if let index { state.buckets[index] += 1 }
            state.sum += value
            state.count += 1
        }
    }

    /// Cumulative counts per bound (as Prometheus wants them), sum and count.
    var snapshot: (cumulative: [Int], sum: Double, count: Int) {
        let (buckets, sum, count) = state.withLock { ($0.buckets, $0.sum, $0.count) }
        var running = 0
        return (buckets.map { running += $0; return running }, sum, count)
    }

    static let latencySeconds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
}
