import HTTPServer

/// One route of the admin listener: a method, a path pattern whose
/// `{name}` segments are captured (percent-decoded, so `ORDER1%2Fship` is
/// one segment), what it does (for the 404 that lists the routes), and its
/// handler. Every route is a row of one table (`AdminRouteTable`).
package struct AdminRoute: Sendable {
    package let method: String
    package let pattern: String
    package let summary: String
    package let handle: @Sendable (_ request: HTTPRequest, _ parameters: [String: String], _ responder: HTTPResponder) -> Void

    package init(_ method: String, _ pattern: String, _ summary: String,
                 _ handle: @escaping @Sendable (_ request: HTTPRequest, _ parameters: [String: String], _ responder: HTTPResponder) -> Void) {
        self.method = method
        self.pattern = pattern
        self.summary = summary
        self.handle = handle
    }

    /// The captured segments when `segments` (a path split at `/`, still
    /// encoded) has this route's shape; nil otherwise.
    func match(_ segments: [Substring]) -> [String: String]? {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == segments.count else { return nil }
        var captured: [String: String] = [:]
        for (part, segment) in zip(parts, segments) {
            if part.hasPrefix("{") && part.hasSuffix("}") {
                guard !segment.isEmpty else { return nil }
                captured[String(part.dropFirst().dropLast())] = AdminRouteTable.decoded(segment)
            } else if part != segment {
                return nil
            }
        }
        return captured
    }
}
