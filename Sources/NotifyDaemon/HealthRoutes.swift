import HTTPServer
import Ledger

/// `GET /livez` and `GET /readyz` on the admin listener, for a load
/// balancer or an orchestrator. Ready means a small write to the ledger
/// committed just now: a daemon whose database is away is alive but not
/// ready, and answers notifications with 503 until it is back.
struct HealthRoutes: Sendable {
    let writer: LedgerWriter
    let instance: String

    var routes: [String: @Sendable (HTTPRequest, HTTPResponder) -> Void] {
        [
            "/livez": { _, responder in
                responder.respond(HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("alive\n".utf8)))
            },
            "/readyz": { [writer, instance] _, responder in
                writer.perform({ store in try store.probeWrite(instance: instance) }) { result in
                    switch result {
                    case .success:
                        responder.respond(HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array("ready\n".utf8)))
                    case .failure(let error):
                        responder.respond(HTTPResponse(status: 503, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                                       body: Array("not ready: the ledger cannot record now: \(error)\n".utf8)))
                    }
                }
            },
        ]
    }
}
