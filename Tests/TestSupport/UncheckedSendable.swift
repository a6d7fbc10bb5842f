/// Hands a value to concurrent test code that uses it from one thread only
/// (one store per thread), which the compiler cannot see.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
