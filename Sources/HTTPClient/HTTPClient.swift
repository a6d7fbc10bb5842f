import Locking
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's one way to speak HTTP to others over libcurl: Alipay's
/// gateway, the outbox's sink, the sandbox's notifications. Callers lay
/// their own rules on top (the gateway's form body and https-or-loopback
/// URLs, the sink's JSON); this holds what they share.
///
/// Requests run concurrently, each on a libcurl handle of its own lent from
/// a pool: a handle keeps its connection open for the next request, and the
/// handles share TLS sessions and the DNS cache, so a new connection
/// resumes TLS instead of a full handshake. No lock is held across a
/// transfer. Every address a host name resolves to is tried in turn
/// (libcurl's happy eyeballs: `localhost` as `::1` and `127.0.0.1`) within
/// `connectTimeout`.
///
/// Blocking: call it from a thread that may wait up to `totalTimeout`,
/// never from an event loop.
public final class HTTPClient: Sendable {
    /// The settings in force.
    public let configuration: HTTPClientConfiguration
    private let share: CurlShare?
    /// Handles with a kept connection, the most recently used last.
    private let idle: Locked<[CurlEasyHandle]>

    /// Checks the settings (CA file, timeouts, limits) and prepares the first
    /// handle; throws what is wrong and what to do.
    public init(configuration: HTTPClientConfiguration) throws(HTTPClientConfigurationError) {
        try Self.check(configuration)
        self.configuration = configuration
        share = CurlShare()
        idle = Locked([try CurlEasyHandle(configuration: configuration, share: share)])
    }

    /// `text` as a URL this client may request, or what is wrong with it,
    /// naming `setting`.
    public func url(_ text: String, setting: String = "url", example: String = "https://host/path") throws(HTTPClientConfigurationError) -> HTTPURL {
        try HTTPURL(text, policy: configuration.schemes, setting: setting, example: example)
    }

    /// Sends `request` and returns the answer, whatever its status, or why
    /// none came. Waits at most `totalTimeout`.
    public func perform(_ request: HTTPClientRequest) -> Result<HTTPClientResponse, HTTPClientError> {
        let handle: CurlEasyHandle
        do throws(HTTPClientConfigurationError) {
            if let kept = idle.withLock({ $0.popLast() }) {
                handle = kept
            } else {
                handle = try CurlEasyHandle(configuration: configuration, share: share)
            }
        } catch {
            return .failure(HTTPClientError(kind: .other, host: request.url.host, detail: error.problem, curlCode: 0,
                                            remedy: "libcurl could not make a handle: the machine may be out of memory."))
        }
        let outcome = handle.perform(request)
        idle.withLock { handles in
            if handles.count < configuration.keptConnections { handles.append(handle) }
        }
        return outcome.mapError { HTTPClientError($0, host: request.url.host, configuration: configuration) }
    }

    /// Handles kept for reuse now (for tests and metrics).
    public var keptHandles: Int { idle.withLock { $0.count } }

    private static func check(_ configuration: HTTPClientConfiguration) throws(HTTPClientConfigurationError) {
        if let caFile = configuration.caFile {
            do {
                _ = try SystemCall.perform("access '\(caFile)'") { access(caFile, R_OK) }
            } catch {
                throw HTTPClientConfigurationError(
                    setting: "caFile", value: caFile, problem: "cannot be read (\(error.reason))",
                    remedy: "give a readable PEM file of the CA certificates to trust, or leave caFile unset to trust the system's store"
                )
            }
        }
        for (name, value) in [("connectTimeout", configuration.connectTimeout), ("totalTimeout", configuration.totalTimeout)]
        where value < .milliseconds(1) {
            throw HTTPClientConfigurationError(
                setting: name, value: "\(value)", problem: "is shorter than a millisecond",
                remedy: "give a positive duration (the defaults are 5 s to connect, 15 s in all)"
            )
        }
        guard configuration.maximumResponseBytes > 0 else {
            throw HTTPClientConfigurationError(
                setting: "maximumResponseBytes", value: "\(configuration.maximumResponseBytes)", problem: "is not positive",
                remedy: "give a size in bytes (the default is 1 MiB)"
            )
        }
        guard configuration.keptConnections >= 0 else {
            throw HTTPClientConfigurationError(
                setting: "keptConnections", value: "\(configuration.keptConnections)", problem: "is negative",
                remedy: "give 0 or more connections to keep open"
            )
        }
    }
}
