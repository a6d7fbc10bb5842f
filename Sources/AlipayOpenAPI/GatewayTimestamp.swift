import AlipayNotify

/// The `timestamp` parameter of a request, `yyyy-MM-dd HH:mm:ss` in China
/// time (UTC+8, no daylight saving), as the Java SDK sends it. It is computed
/// from seconds since 1970 that the caller passes, never from the machine's
/// clock or time zone, so a server set to UTC signs the same text as one in
/// Shanghai.
public struct GatewayTimestamp: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    /// - Parameter secondsSince1970: Unix time in whole seconds (UTC).
    public init(secondsSince1970: Int64) {
        text = ChinaTime.format(secondsSince1970: secondsSince1970)
    }

    public var description: String { text }
}
