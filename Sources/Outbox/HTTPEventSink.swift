import HTTPClient
import Ledger
import SystemSupport

/// `sink = http`: POSTs the event as JSON to the merchant's URL (`http://`
/// or `https://`, certificates verified against the system's CAs or
/// `sink-ca-file`), with the event id as `Idempotency-Key`. Any 2xx means
/// delivered; another status, a timeout or a connection error is a failed
/// attempt (retried). Every address of the host name is tried, and the
/// connection is kept for the next event. No proxy from the environment
/// is used: the sink is the merchant's own endpoint.
public struct HTTPEventSink: EventSink {
    let client: HTTPClient
    let url: HTTPURL

    public init(url: String, timeout: Duration, caFile: String? = nil, concurrency: Int = 4) throws(SinkConfigurationError) {
        do {
            client = try HTTPClient(configuration: HTTPClientConfiguration(
                schemes: .httpOrHTTPS, caFile: caFile, connectTimeout: min(.seconds(5), timeout), totalTimeout: timeout,
                maximumResponseBytes: 1 << 20, keptConnections: concurrency, usesEnvironmentProxy: false))
            self.url = try client.url(url, setting: "sink-url", example: "https://fulfil.internal/alipay-events")
        } catch {
            switch error.setting {
            case "caFile": throw SinkConfigurationError("sink-ca-file '\(error.value)': \(error.problem); \(error.remedy)")
            case "connectTimeout", "totalTimeout": throw SinkConfigurationError("sink-timeout \(timeout): \(error.problem); \(error.remedy)")
            default: throw SinkConfigurationError("\(error)")
            }
        }
    }

    public var description: String { "http POST \(url)" }

    public func deliver(_ event: OutboxEvent, attempt: Int) -> DeliveryResult {
        let request = HTTPClientRequest(
            method: .post, url: url,
            headers: [("Content-Type", "application/json"), ("Idempotency-Key", event.id), ("X-Notifyd-Attempt", "\(attempt)")],
            body: Array(event.jsonDocument(attempt: attempt).utf8))
        switch client.perform(request) {
        case .success(let response) where (200..<300).contains(response.status):
            return .delivered
        case .success(let response):
            return .failed("the endpoint answered HTTP \(response.status)")
        case .failure(let error):
            return .failed(error.description)
        }
    }
}

/// A sink setting that cannot work.
public struct SinkConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
