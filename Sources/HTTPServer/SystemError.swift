#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which operation, on what, and the errno it set.
/// Every socket call of the server goes through `SystemCall`, which throws
/// this, so a log line always says what was being done.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public let operation: String
    public let errno: Int32

    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "\(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// The outcome of a non-blocking call: done, or it would have blocked.
enum IOResult<Value> {
    case done(Value)
    case wouldBlock
}
