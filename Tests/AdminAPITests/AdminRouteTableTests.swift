@testable import AdminAPI
import Testing

/// The admin routes as one table: a pattern's segments are captured
/// decoded, a known path with another method is 405, anything else 404.
@Suite struct AdminRouteTableTests {
    let table = AdminRouteTable([
        AdminRoute("GET", "/orders", "list") { _, _, _ in },
        AdminRoute("POST", "/orders", "register") { _, _, _ in },
        AdminRoute("GET", "/trades/{out_trade_no}", "one trade") { _, _, _ in },
        AdminRoute("POST", "/trades/{out_trade_no}/refunds", "refund") { _, _, _ in },
        AdminRoute("POST", "/events/{id}/redeliver", "redeliver") { _, _, _ in },
    ])

    func resolved(_ method: String, _ path: String) -> (pattern: String, parameters: [String: String])? {
        guard case .route(let route, let parameters) = table.resolve(method: method, path: Substring(path)) else { return nil }
        return (route.pattern, parameters)
    }

    @Test func aPatternCapturesItsSegmentsDecoded() {
        #expect(resolved("GET", "/trades/ORDER%201")?.parameters == ["out_trade_no": "ORDER 1"])
        #expect(resolved("POST", "/trades/O1/refunds")?.pattern == "/trades/{out_trade_no}/refunds")
        #expect(resolved("POST", "/events/ORDER1%2Fship/redeliver")?.parameters == ["id": "ORDER1/ship"],
                "an encoded slash stays inside its segment")
    }

    @Test func aKnownPathWithAnotherMethodIsAWrongMethodNamingTheAllowedOnes() {
        guard case .wrongMethod(let allowed) = table.resolve(method: "DELETE", path: "/orders") else {
            Issue.record("DELETE /orders was not refused as a wrong method")
            return
        }
        #expect(allowed == ["GET", "POST"])
        guard case .wrongMethod(let onlyPost) = table.resolve(method: "GET", path: "/trades/O1/refunds") else {
            Issue.record("GET of the refunds route was not refused as a wrong method")
            return
        }
        #expect(onlyPost == ["POST"])
    }

    @Test func anythingElseIsNotFound() {
        for path in ["/", "/trades", "/trades/", "/trades/O1/refunds/extra", "/ordersx", "/events/O1"] {
            guard case .notFound = table.resolve(method: "GET", path: Substring(path)) else {
                Issue.record("\(path) was routed")
                continue
            }
        }
        #expect(table.listing.contains("POST /trades/{out_trade_no}/refunds: refund"))
    }
}
