/// The outcome of a non-blocking call: done, or it would have blocked
/// (`EAGAIN`), which is how a non-blocking descriptor says "not now", not
/// an error.
public enum IOResult<Value> {
    case done(Value)
    case wouldBlock
}

extension IOResult: Equatable where Value: Equatable {}
extension IOResult: Sendable where Value: Sendable {}
