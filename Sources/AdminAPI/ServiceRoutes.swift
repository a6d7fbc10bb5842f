import CLinux
import HTTPServer
import Ledger
import Observability
import Outbox

/// `GET /livez`, `GET /readyz` and `GET /metrics` on the admin listener,
/// for a load balancer, systemd's neighbours and Prometheus.
///
/// Ready means a small write to the ledger committed just now and, for an
/// SQLite ledger, enough free disk: a daemon whose database is away or
/// whose disk is full is alive but not ready, and answers 503 to
/// notifications until it can record them again.
package struct ServiceRoutes: Sendable {
    let writer: LedgerWriter
    let instance: String
    let ledger: LedgerLocation
    let minimumFreeDiskBytes: Int
    let metrics: Metrics
    /// The ledger's gauges, read on the reading connection.
    let gauges: LedgerGauges
    /// Unowned: the server holds these routes, and the daemon holds the server.
    unowned let server: HTTPServer
    let dispatcher: OutboxDispatcher?

    package init(writer: LedgerWriter, instance: String, ledger: LedgerLocation, minimumFreeDiskBytes: Int, metrics: Metrics, gauges: LedgerGauges, server: HTTPServer, dispatcher: OutboxDispatcher?) {
        self.writer = writer
        self.instance = instance
        self.ledger = ledger
        self.minimumFreeDiskBytes = minimumFreeDiskBytes
        self.metrics = metrics
        self.gauges = gauges
        self.server = server
        self.dispatcher = dispatcher
    }

    package var routes: [AdminRoute] {
        [
            AdminRoute("GET", "/livez", "200 while the process runs") { _, _, responder in responder.respond(Self.text(200, "alive\n")) },
            AdminRoute("GET", "/readyz", "200 when a small write to the ledger just committed") { _, _, responder in readiness(responder) },
            AdminRoute("GET", "/metrics", "Prometheus text") { _, _, responder in scrape(responder) },
        ]
    }

    private func readiness(_ responder: HTTPResponder) {
        if case .sqlite(let path) = ledger, let free = Self.freeBytes(nearPath: path), free < minimumFreeDiskBytes {
            return responder.respond(Self.text(503, "not ready: \(free >> 20) MiB free on the ledger's filesystem, below min-free-disk (\(minimumFreeDiskBytes >> 20) MiB)\n"))
        }
        writer.perform({ [instance] store in try store.probeWrite(instance: instance) }) { result in
            switch result {
            case .success:
                responder.respond(Self.text(200, "ready\n"))
            case .failure(let error):
                responder.respond(Self.text(503, "not ready: the ledger cannot record now: \(error)\n"))
            }
        }
    }

    private func scrape(_ responder: HTTPResponder) {
        gauges.current { [metrics, server, dispatcher] values in
            let body = metrics.render(server: server, dispatcher: dispatcher,
                                      backlog: values.map { (pending: $0.backlog.pending, dead: $0.backlog.dead,
                                                             oldestPendingCreatedAt: $0.backlog.oldestPendingCreatedAt) },
                                      orders: values?.orders, refunds: values?.refunds)
            responder.respond(HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                                           body: Array(body.utf8)))
        }
    }

    static func text(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(body.utf8))
    }

    /// Free bytes for unprivileged writers on the filesystem holding `path`
    /// (or its directory, before the file exists).
    static func freeBytes(nearPath path: String) -> Int? {
        var info = statvfs()
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        for candidate in [path, directory.isEmpty ? "/" : directory] where statvfs(candidate, &info) == 0 {
            return Int(info.f_bavail) * Int(info.f_frsize)
        }
        return nil
    }
}
