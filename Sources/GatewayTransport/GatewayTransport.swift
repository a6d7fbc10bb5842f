import Locking
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// HTTPS to Alipay's OpenAPI gateway: one POST of a signed form per call,
/// the answer's status and raw bytes back, or an unknown result.
///
/// TLS is libcurl's (OpenSSL underneath), never this code's: the peer's
/// certificate chain and host name are always verified, redirects are never
/// followed, and `https_proxy`/`no_proxy` from the environment are honoured
/// as libcurl does by default. One connection is kept open and reused across
/// calls; calls are serialized on it (a gateway call is rare next to
/// notifications, and a queue of them is better than a burst of handshakes).
/// Blocking: call it from a thread that may wait up to `totalTimeout`, never
/// from an event loop.
public final class GatewayTransport: Sendable {
    /// The settings in force.
    public let configuration: GatewayTransportConfiguration
    /// The checked gateway URL.
    public let url: GatewayURL
    private let connection: Locked<CurlEasyHandle>

    /// Checks the settings (URL policy, CA file, timeouts, limit) and
    /// prepares the connection; throws what is wrong and what to do.
    public init(configuration: GatewayTransportConfiguration) throws(GatewayConfigurationError) {
        let url = try GatewayURL(configuration.gatewayURL)
        try Self.check(configuration)
        self.configuration = configuration
        self.url = url
        connection = Locked(try CurlEasyHandle(url: url, configuration: configuration))
    }

    /// POSTs `body` (an `application/x-www-form-urlencoded;charset=utf-8`
    /// form, already signed) and returns the answer, whatever its status, or
    /// the failure as an unknown result. Waits at most `totalTimeout`, plus
    /// the time spent waiting for an earlier call on the same connection.
    public func post(form body: [UInt8]) -> GatewayTransportResult {
        let outcome = connection.withLock { $0.post(body) }
        switch outcome {
        case .success(let response):
            return .answered(response)
        case .failure(let failure):
            return .unknown(GatewayTransportError(failure, host: url.host, configuration: configuration))
        }
    }

    private static func check(_ configuration: GatewayTransportConfiguration) throws(GatewayConfigurationError) {
        if let caFile = configuration.caFile {
            do {
                _ = try SystemCall.perform("access '\(caFile)'") { access(caFile, R_OK) }
            } catch {
                throw GatewayConfigurationError(
                    setting: "caFile", value: caFile, problem: "cannot be read (\(error.reason))",
                    remedy: "give a readable PEM file of the CA certificates to trust, or leave caFile unset to trust the system's store"
                )
            }
        }
        for (name, value) in [("connectTimeout", configuration.connectTimeout), ("totalTimeout", configuration.totalTimeout)]
        where value < .milliseconds(1) {
            throw GatewayConfigurationError(
                setting: name, value: "\(value)", problem: "is shorter than a millisecond",
                remedy: "give a positive duration (the defaults are 5 s to connect, 15 s in all)"
            )
        }
        guard configuration.maximumResponseBytes > 0 else {
            throw GatewayConfigurationError(
                setting: "maximumResponseBytes", value: "\(configuration.maximumResponseBytes)", problem: "is not positive",
                remedy: "give a size in bytes (the default, 1 MiB, is far above any answer of Alipay's)"
            )
        }
    }
}
