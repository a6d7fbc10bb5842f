#if canImport(Glibc)
import Glibc
#endif

/// A TCP address to listen on, written `HOST:PORT` (`127.0.0.1:8080`,
/// `0.0.0.0:80`, `[::1]:8080`, `[::]:8080`, `localhost:8080`). Port 0 asks
/// the kernel for a free port (tests use it).
public struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; the error message says what is wrong and shows
    /// the expected form.
    public init(parsing text: String) throws(AddressError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw AddressError(text, "an IPv6 address must be closed with ']'") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw AddressError(text, "expected ':PORT' after ']'") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw AddressError(text, "expected HOST:PORT, for example 127.0.0.1:8080") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw AddressError(text, "write an IPv6 address in brackets, for example [::1]:8080") }
        }
        guard !host.isEmpty else { throw AddressError(text, "the host is empty; use 0.0.0.0 to listen on every IPv4 address") }
        guard let port = UInt16(portText), !portText.isEmpty else {
            throw AddressError(text, "the port '\(portText)' is not a number from 0 to 65535")
        }
        self.host = host == "localhost" ? "127.0.0.1" : String(host)
        self.port = port
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public var isLoopback: Bool {
        host == "::1" || host.hasPrefix("127.")
    }
}

/// A listen address that could not be parsed.
public struct AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    public let text: String
    public let problem: String

    init(_ text: String, _ problem: String) {
        self.text = text
        self.problem = problem
    }

    public var description: String { "'\(text)': \(problem)" }
}
