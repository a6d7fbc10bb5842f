import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// A URL that passed a client's scheme policy (`HTTPClientConfiguration.SchemePolicy`).
///
/// The URL is parsed by libcurl's own URL parser (`curl_url`), the one the
/// transfer uses, so the host checked here is the host connected to: no
/// second parser can disagree about where `http://127.0.0.1@evil/` goes.
public struct HTTPURL: Sendable, Equatable, CustomStringConvertible {
    /// The schemes a client speaks.
    public enum Scheme: String, Sendable {
        case https
        case http
    }

    /// The URL as libcurl normalized it, which is what is requested.
    public let text: String
    public let scheme: Scheme
    /// The host as libcurl reads it (an IPv6 address in brackets).
    public let host: String
    /// Whether the host is 127.0.0.0/8, `::1` or `localhost`.
    public let isLoopback: Bool

    /// Parses and checks `text` against `policy`; throws what is wrong and
    /// what to do, naming `setting` (the name the person wrote it under)
    /// and showing `example` as a URL that would do.
    public init(_ text: String, policy: HTTPClientConfiguration.SchemePolicy, setting: String = "url",
                example: String = "https://host/path") throws(HTTPClientConfigurationError) {
        func refuse(_ problem: String, _ remedy: String) -> HTTPClientConfigurationError {
            HTTPClientConfigurationError(setting: setting, value: text, problem: problem, remedy: remedy)
        }
        guard let url = curl_url() else {
            throw refuse("libcurl could not allocate a URL handle", "the machine is out of memory")
        }
        defer { curl_url_cleanup(url) }
        guard curl_url_set(url, CURLUPART_URL, text, 0) == CURLUE_OK else {
            throw refuse("not a URL libcurl can parse", "write it as \(example) is written")
        }
        func part(_ which: CURLUPart) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(url, which, &value, 0) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        guard let schemeText = part(CURLUPART_SCHEME)?.lowercased(), let host = part(CURLUPART_HOST),
              let normalized = part(CURLUPART_URL) else {
            throw refuse("has no scheme or no host", "give the whole URL, such as \(example)")
        }
        guard part(CURLUPART_USER) == nil, part(CURLUPART_PASSWORD) == nil else {
            throw refuse("holds a user name or password", "remove the credentials from the URL")
        }
        let loopback = Self.isLoopback(host: host)
        switch (schemeText, policy) {
        case ("https", _):
            scheme = .https
        case ("http", .httpOrHTTPS):
            scheme = .http
        case ("http", .httpsOrLoopbackHTTP) where loopback:
            scheme = .http
        case ("http", .httpsOrLoopbackHTTP):
            throw refuse(
                "plain http is allowed only to a loopback host (127.0.0.0/8, ::1, localhost), for a local sandbox, "
                    + "because the signed request and its answer would cross the network in clear text",
                "use https://\(host)…"
            )
        default:
            throw refuse(
                "the scheme '\(schemeText)' is not \(policy == .httpOrHTTPS ? "http or https" : "https")",
                "use an https:// URL"
            )
        }
        self.text = normalized
        self.host = host
        isLoopback = loopback
    }

    public var description: String { text }

    /// 127.0.0.0/8, `::1` (as libcurl writes it, in brackets) and
    /// `localhost`, which libcurl resolves to loopback without asking DNS.
    public static func isLoopback(host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        var ipv4 = in_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 {
            return UInt32(bigEndian: ipv4.s_addr) >> 24 == 127
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            var ipv6 = in6_addr()
            guard inet_pton(AF_INET6, String(host.dropFirst().dropLast()), &ipv6) == 1 else { return false }
            var loopback = in6addr_loopback
            return memcmp(&ipv6, &loopback, MemoryLayout<in6_addr>.size) == 0
        }
        return false
    }
}
