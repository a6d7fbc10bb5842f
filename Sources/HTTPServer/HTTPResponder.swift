import Synchronization

/// The way back to the client for one request. Call `respond` exactly once,
/// from any thread; the response is written after the responses to the
/// requests before it on the same connection.
///
/// A responder that is dropped without an answer answers 500 by itself, so
/// a bug in a handler cannot leave a client (or a pipeline) hanging.
public final class HTTPResponder: Sendable {
    private let connection: Connection
    private let sequence: UInt64
    private let answered = Atomic<Bool>(false)

    init(connection: Connection, sequence: UInt64) {
        self.connection = connection
        self.sequence = sequence
    }

    /// Answers the request. `afterwards` (logging, counting) runs on the
    /// connection's event-loop thread once the response is queued, so a
    /// caller on a busy thread (the ledger writer) hands that work off too.
    public func respond(_ response: HTTPResponse, afterwards: (@Sendable () -> Void)? = nil) {
        guard !answered.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Self.deliver(response, to: connection, sequence: sequence, afterwards: afterwards)
    }

    private static func deliver(_ response: HTTPResponse, to connection: Connection, sequence: UInt64,
                                afterwards: (@Sendable () -> Void)? = nil) {
        let loop = connection.loop
        if loop.isCurrentThread {
            connection.complete(sequence, response)
            afterwards?()
        } else {
            loop.execute {
                connection.complete(sequence, response)
                afterwards?()
            }
        }
    }

    deinit {
        if !answered.load(ordering: .acquiring) {
            Self.deliver(.text(500, "the request was not answered\n", closeConnection: true), to: connection, sequence: sequence)
        }
    }
}
