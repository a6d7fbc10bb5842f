import SystemSupport

/// Why a listening socket could not be set up: a system call failed, or
/// the address or descriptor given was not one a listener can use.
public enum ListeningSocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// socket, bind, listen, setsockopt or fcntl failed.
    case systemCall(SystemError)
    /// The listen address is not a numeric IPv4 or IPv6 address.
    case notNumericAddress(String)
    /// A descriptor passed in (socket activation) is not a listening stream socket.
    case notListening(descriptor: Int32)

    public var description: String {
        switch self {
        case .systemCall(let error):
            return error.description
        case .notNumericAddress(let host):
            return "listen address '\(host)' is not a numeric IPv4 or IPv6 address; use one such as 127.0.0.1 or :: (host names are not resolved)"
        case .notListening(let fd):
            return "inherited descriptor \(fd) is not a listening socket; check that the .socket unit uses ListenStream="
        }
    }
}
