import AlipayNotify

/// The admin listener's routes as one table, and the one place that
/// chooses among them: the first route whose pattern and method match
/// handles the request; a path that matches with another method is 405
/// with `Allow`; anything else is 404 listing every route.
package struct AdminRouteTable: Sendable {
    package let routes: [AdminRoute]

    package init(_ routes: [AdminRoute]) {
        self.routes = routes
    }

    /// What becomes of a request for `method` and `path` (the path without its query).
    package enum Resolution {
        case route(AdminRoute, [String: String])
        case wrongMethod(allowed: [String])
        case notFound
    }

    package func resolve(method: String, path: Substring) -> Resolution {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = route.match(segments) else { continue }
            if route.method == method { return .route(route, parameters) }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        return allowed.isEmpty ? .notFound : .wrongMethod(allowed: allowed)
    }

    /// The routes, one per line, as the 404 lists them.
    package var listing: String {
        routes.map { "\($0.method) \($0.pattern): \($0.summary)" }.joined(separator: "\n")
    }

    static func decoded<S: StringProtocol>(_ text: S) -> String {
        String(decoding: PercentDecoding.decoded(Array(text.utf8)), as: UTF8.self)
    }
}
