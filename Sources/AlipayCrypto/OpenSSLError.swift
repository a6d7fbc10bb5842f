import COpenSSL

/// An OpenSSL failure: what the project was doing, and the messages OpenSSL
/// left on this thread's error queue (which is drained, so the next call
/// starts clean).
public struct OpenSSLError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let details: [String]

    init(_ operation: String) {
        self.operation = operation
        self.details = OpenSSLError.drainQueue()
    }

    public var description: String {
        details.isEmpty ? operation : "\(operation): \(details.joined(separator: "; "))"
    }

    /// Empties this thread's error queue and returns its messages.
    @discardableResult
    static func drainQueue() -> [String] {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages
    }
}
