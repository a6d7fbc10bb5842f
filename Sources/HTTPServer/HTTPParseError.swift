/// Why a request could not be parsed, and the status that says so. After
/// any of these the connection answers and closes: the framing of whatever
/// follows can no longer be trusted.
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let status: Int
    public let reason: String

    public init(_ status: Int, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status): \(reason)" }

    static func badRequest(_ reason: String) -> HTTPParseError { HTTPParseError(400, reason) }
    static let headTooLarge = HTTPParseError(431, "request head larger than the limit")
    static let tooManyHeaders = HTTPParseError(431, "more header fields than the limit")
    static let bodyTooLarge = HTTPParseError(413, "request body larger than the limit")
}
