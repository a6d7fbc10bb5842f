import Ledger
import SystemSupport

/// `sink = http`: POSTs the event as JSON to an internal URL, with the
/// event id as `Idempotency-Key`. Any 2xx means delivered; another status,
/// a timeout or a connection error is a failed attempt (retried).
public struct HTTPEventSink: EventSink {
    let endpoint: HTTPPost
    let url: String
    let timeoutMilliseconds: Int

    public init(url: String, timeout: Duration) throws(SinkConfigurationError) {
        self.endpoint = try HTTPPost(url: url)
        self.url = url
        self.timeoutMilliseconds = timeout.inMilliseconds
    }

    public var description: String { "http POST \(url)" }

    public func deliver(_ event: OutboxEvent, attempt: Int) -> DeliveryResult {
        let body = Array(event.jsonDocument(attempt: attempt).utf8)
        let headers = [("Content-Type", "application/json"), ("Idempotency-Key", event.id),
                       ("User-Agent", "alipay-notifyd"), ("X-Notifyd-Attempt", "\(attempt)")]
        switch endpoint.post(body: body, headers: headers, timeoutMilliseconds: timeoutMilliseconds) {
        case .success(let status) where (200..<300).contains(status):
            return .delivered
        case .success(let status):
            return .failed("the endpoint answered HTTP \(status)")
        case .failure(let error):
            return .failed(error.description)
        }
    }
}
