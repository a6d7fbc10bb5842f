import Foundation
import HTTPServer
import Ledger
import Locking

/// Who may use the admin listener. A web page open in a browser on the
/// server can send requests to `127.0.0.1:8081` too, so being on loopback
/// is not enough:
///
/// - a request whose `Origin` is not the listener's own is refused (403),
///   and without tokens the `Host` must name the loopback listener itself
///   (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`), which a page on
///   another name that resolves to 127.0.0.1 (DNS rebinding) does not;
/// - with `admin-token-file`, every request but the health probes carries
///   `Authorization: Bearer TOKEN`, compared in constant time (401);
/// - a write (POST, PUT, PATCH, DELETE) says `Content-Type:
///   application/json` (415): a browser sends that across origins only
///   after asking (CORS), which this listener never grants.
package final class AdminAccess: Sendable {
    /// The listener's own port (as bound) and whether it is on loopback.
    let port: UInt16
    let loopback: Bool
    private let tokens: Locked<[[UInt8]]?>

    /// Paths answered without a token: a health probe reveals nothing.
    static let openPaths: Set<Substring> = ["/livez", "/readyz"]
    static let writeMethods: Set<String> = ["POST", "PUT", "PATCH", "DELETE"]

    package init(port: UInt16, loopback: Bool, tokens: [[UInt8]]?) {
        self.port = port
        self.loopback = loopback
        self.tokens = Locked(tokens)
    }

    /// A reload's tokens (nil: none required).
    package func replaceTokens(_ fresh: [[UInt8]]?) {
        tokens.withLock { $0 = fresh }
    }

    /// The answer that refuses `request`, or nil when it may go on.
    package func refusal(_ request: HTTPRequest) -> HTTPResponse? {
        let required = tokens.withLock { $0 }
        let host = request.headers["Host"]
        if required == nil, loopback, let host, !ownAuthorities.contains(host.lowercased()) {
            return Self.refuse(403, "Host '\(host)' does not name this admin listener (127.0.0.1:\(port), localhost:\(port) or [::1]:\(port)); a page served under another name is refused")
        }
        if let origin = request.headers["Origin"] {
            guard let host, origin.lowercased() == "http://" + host.lowercased() || origin.lowercased() == "https://" + host.lowercased() else {
                return Self.refuse(403, "a request from the web page of another origin ('\(origin)') is refused: the admin listener serves its own pages and programs, not other sites")
            }
        }
        if request.headers["Sec-Fetch-Site"]?.lowercased() == "cross-site" {
            return Self.refuse(403, "a cross-site request from a browser is refused")
        }
        if let required, !Self.openPaths.contains(request.path) {
            guard let presented = Self.bearer(request.headers["Authorization"]), Self.matches(presented, required) else {
                var refused = Self.refuse(401, "this admin listener requires Authorization: Bearer TOKEN (a token of admin-token-file)")
                refused.headers.append(("WWW-Authenticate", "Bearer realm=\"alipay-notifyd admin\""))
                return refused
            }
        }
        if Self.writeMethods.contains(request.method) {
            let mediaType = request.headers["Content-Type"]?.split(separator: ";", maxSplits: 1).first?
                .trimmingCharacters(in: .whitespaces).lowercased()
            guard mediaType == "application/json" else {
                return Self.refuse(415, "a write to the admin listener is JSON: send Content-Type: application/json (got \(request.headers["Content-Type"].map { "'\($0)'" } ?? "none"))")
            }
        }
        return nil
    }

    private var ownAuthorities: Set<String> {
        ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"]
    }

    static func bearer(_ header: String?) -> [UInt8]? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)
    }

    /// True when `presented` is one of `tokens`, in time that depends on
    /// the tokens' lengths only, never on where a byte first differs.
    static func matches(_ presented: [UInt8], _ tokens: [[UInt8]]) -> Bool {
        var found = false
        for token in tokens {
            var difference: UInt8 = presented.count == token.count ? 0 : 1
            for index in 0..<token.count {
                difference |= token[index] ^ (index < presented.count ? presented[index] : 0)
            }
            found = found || difference == 0
        }
        return found
    }

    static func refuse(_ status: Int, _ message: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Array((LedgerJSON.error(message) + "\n").utf8))
    }
}
