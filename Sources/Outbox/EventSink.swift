import Ledger

/// Where events go: the merchant's fulfillment system. A sink delivers one
/// event per call, blocking, within its own timeout; the dispatcher runs
/// several at once on its own threads, never on a request's.
public protocol EventSink: Sendable {
    /// A short description for logs (`http POST http://…`, `exec …`).
    var description: String { get }
    func deliver(_ event: OutboxEvent, attempt: Int) -> DeliveryResult
}

/// What one delivery attempt did.
public enum DeliveryResult: Sendable, Equatable {
    case delivered
    /// Not delivered; the reason goes into the event's `last_error`.
    case failed(String)
}
