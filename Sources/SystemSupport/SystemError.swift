#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: what was being done (the call, and on what) and
/// the errno it set. Every system call of the daemon goes through
/// `SystemCall`, which throws this, so a log line always says what failed,
/// with which value, in the words of the C library.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call and its subject, such as `bind 0.0.0.0:80` or `open '/etc/key.pem'`.
    public let operation: String
    public let errno: Int32

    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    /// The C library's words for `errno` (`strerror(3)`).
    public var reason: String {
        String(cString: strerror(errno))
    }

    public var description: String {
        "\(operation) failed: \(reason) (errno \(errno))"
    }
}
