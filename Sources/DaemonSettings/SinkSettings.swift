import Outbox

/// Where outbox events are delivered, and how persistently: the sink and
/// its time limit here, the retry policy with the dispatcher's own defaults.
public struct SinkSettings: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case none, http, exec
    }

    public var kind: Kind = .none
    public var url: String?
    /// With an https:// URL: the CAs to trust instead of the system's.
    public var caFile: String?
    public var command: String?
    public var timeout: Duration = .seconds(10)
    /// Concurrency, attempts and backoff (the lease follows from `timeout`).
    public var delivery = OutboxDispatcher.Settings()
}
