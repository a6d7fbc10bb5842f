@testable import AdminAPI
import HTTPServer
import Testing

/// Who may use the admin listener: not a web page of another origin or
/// name, not a write that is not JSON, and with tokens only their holders.
@Suite struct AdminAccessTests {
    static let token = Array("0123456789abcdef0123456789abcdef".utf8)

    func request(_ headers: [(String, String)]) -> HTTPRequest {
        request("POST", "/orders", headers)
    }

    func request(_ method: String, _ path: String, _ headers: [(String, String)]) -> HTTPRequest {
        HTTPRequest(method: method, target: path, headers: HTTPHeaders(headers), body: Array("{}".utf8))
    }

    let open = AdminAccess(port: 8081, loopback: true, tokens: nil)
    let json = ("Content-Type", "application/json")
    let host = ("Host", "127.0.0.1:8081")

    @Test func aJSONWriteFromAProgramOnTheMachineIsLetThrough() {
        #expect(open.refusal(request([host, json])) == nil)
        #expect(open.refusal(request([("Host", "localhost:8081"), ("Content-Type", "application/json; charset=utf-8")])) == nil)
        #expect(open.refusal(request("GET", "/trades/X", [host])) == nil, "a read needs no content type")
    }

    @Test(arguments: ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", nil])
    func aWriteThatIsNotJSONIs415(_ contentType: String?) {
        let headers = [host] + (contentType.map { [("Content-Type", $0)] } ?? [])
        #expect(open.refusal(request(headers))?.status == 415)
    }

    @Test func aRequestFromAPageOfAnotherOriginIs403() {
        #expect(open.refusal(request([host, json, ("Origin", "http://evil.example")]))?.status == 403)
        #expect(open.refusal(request([host, json, ("Origin", "null")]))?.status == 403)
        #expect(open.refusal(request("GET", "/trades/X", [host, ("Origin", "http://evil.example")]))?.status == 403)
        #expect(open.refusal(request([host, json, ("Sec-Fetch-Site", "cross-site")]))?.status == 403)
        #expect(open.refusal(request([host, json, ("Origin", "http://127.0.0.1:8081")])) == nil, "its own pages' forms")
    }

    @Test func aHostThatIsNotTheListenersOwnIs403WithoutTokens() {
        // A name of the attacker's that resolves to 127.0.0.1 (DNS rebinding): same-origin to the browser.
        #expect(open.refusal(request([("Host", "rebind.evil.example:8081"), json, ("Origin", "http://rebind.evil.example:8081")]))?.status == 403)
        #expect(open.refusal(request([("Host", "127.0.0.1:9999"), json]))?.status == 403)
        #expect(open.refusal(request([("Host", "[::1]:8081"), json])) == nil)
    }

    @Test func withTokensEveryRequestButTheProbesCarriesOne() {
        let guarded = AdminAccess(port: 8081, loopback: true, tokens: [Self.token])
        let refused = guarded.refusal(request([host, json]))
        #expect(refused?.status == 401)
        #expect(refused?.headers.contains { $0.0 == "WWW-Authenticate" } == true)
        #expect(guarded.refusal(request([host, json, ("Authorization", "Bearer wrong-token-wrong-token")]))?.status == 401)
        #expect(guarded.refusal(request([host, json, ("Authorization", "Basic " + String(decoding: Self.token, as: UTF8.self))]))?.status == 401)
        #expect(guarded.refusal(request([host, json, ("Authorization", "Bearer " + String(decoding: Self.token, as: UTF8.self))])) == nil)
        #expect(guarded.refusal(request("GET", "/metrics", [host]))?.status == 401, "metrics carry the token too (Prometheus: authorization)")
        #expect(guarded.refusal(request("GET", "/livez", [host])) == nil)
        #expect(guarded.refusal(request("GET", "/readyz", [host])) == nil)
    }

    @Test func withTokensAnyHostNameServes() {
        let remote = AdminAccess(port: 8081, loopback: false, tokens: [Self.token])
        let bearer = ("Authorization", "Bearer " + String(decoding: Self.token, as: UTF8.self))
        #expect(remote.refusal(request([("Host", "notifyd.internal:8081"), json, bearer])) == nil)
    }

    @Test func aReloadReplacesTheTokens() {
        let guarded = AdminAccess(port: 8081, loopback: true, tokens: [Self.token])
        let next = Array("fedcba9876543210fedcba9876543210".utf8)
        guarded.replaceTokens([next])
        #expect(guarded.refusal(request([host, json, ("Authorization", "Bearer " + String(decoding: Self.token, as: UTF8.self))]))?.status == 401)
        #expect(guarded.refusal(request([host, json, ("Authorization", "Bearer " + String(decoding: next, as: UTF8.self))])) == nil)
    }

    @Test func tokensMatchOnlyWhole() {
        #expect(AdminAccess.matches(Self.token, [Self.token]))
        #expect(!AdminAccess.matches(Array(Self.token.dropLast()), [Self.token]))
        #expect(!AdminAccess.matches(Self.token + [0x41], [Self.token]))
        #expect(!AdminAccess.matches([], [Self.token]))
        #expect(AdminAccess.matches(Self.token, [Array("x".utf8), Self.token]))
        #expect(!AdminAccess.matches(Self.token + [UInt8](repeating: 0, count: 256), [Self.token]), "lengths differing by 256 differ")
    }
}
