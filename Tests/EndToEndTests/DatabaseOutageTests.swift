import Foundation
import Testing
import TestSupport

/// A PostgreSQL ledger that goes away: at start-up, and in the middle of
/// load. Each test has a PostgreSQL server of its own to stop and start.
@Suite struct DatabaseOutageTests {
    @Test func aDaemonStartedWhileTheDatabaseIsDownAnswersFailUntilItIsBack() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let database = try server.makeDatabase()
        #expect(try DaemonProcess.command(["orders", "add", "--db", database, "OUTAGE1", "12.34"]).status == 0)
        try server.kill()

        let directory = TemporaryDirectory("e2e-outage")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, database: database), directory: directory)
        let body = try SignedNotification.paid("OUTAGE1", amount: "12.34", notifyID: "outage-1")
        let refused = try Curl.post(daemon.notifyURL, body: body)
        #expect(refused.status == 503)
        #expect(refused.body == "fail")
        #expect(try Curl.get(daemon.adminURL + "/livez").status == 200)
        let notReady = try Curl.get(daemon.adminURL + "/readyz")
        #expect(notReady.status == 503)
        #expect(notReady.body.contains("not ready"))
        #expect(daemon.log.contains("cannot reach the ledger"))

        try server.start()
        let deadline = Date().addingTimeInterval(20)
        while try Curl.get(daemon.adminURL + "/readyz").status != 200 && Date() < deadline { usleep(100_000) }
        #expect(try Curl.get(daemon.adminURL + "/readyz").status == 200)
        let accepted = try Curl.post(daemon.notifyURL, body: body)
        #expect(accepted.status == 200)
        #expect(accepted.body == "success")
        #expect(try server.sql(database, "SELECT count(*) FROM shipments WHERE out_trade_no = 'OUTAGE1'") == "1")
        #expect(daemon.log.contains("writable again") || daemon.log.contains("reachable again"))
        #expect(!daemon.log.contains("\n\t")) // libpq's two-line messages are logged on one line
        #expect(daemon.stop() == 0)
    }

    @Test func theDatabaseRestartedUnderLoadLosesNoSuccessAndConverges() throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let database = try server.makeDatabase()
        let trades = (0..<120).map { String(format: "RESTART%04d", $0) }
        var fieldLists: [[(String, String)]] = []
        for trade in trades {
            fieldLists.append(SignedNotification.fields(outTradeNo: trade, amount: "12.34", notifyID: "pay-\(trade)"))
            fieldLists.append(SignedNotification.fields(outTradeNo: trade, amount: "12.34", notifyID: "resend-\(trade)"))
        }
        let bodies = try SignedNotification.bodies(fieldLists)
        let notifyIDs = fieldLists.map { $0[0].1 }
        let directory = TemporaryDirectory("e2e-restart")
        let daemons = try (0..<3).map { _ in
            try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, database: database), directory: directory)
        }
        // The orders, through the admin listener of one of them.
        let registered = try CurlStorm.send(trades.map {
            CurlStorm.Request(url: daemons[0].adminURL + "/orders", body: "{\"out_trade_no\":\"\($0)\",\"total_amount\":\"12.34\"}",
                              contentType: "application/json")
        }, connections: 16)
        #expect(registered.allSatisfy { $0.status == 201 || $0.status == 200 }, "\(registered.first.map { "\($0.status) \($0.body)" } ?? "")")

        // The load: chunks of 16 notifications, each sent twice at once to
        // two daemons; what was not answered success is sent again (as
        // Alipay retries) until everything was, and no notification is sent
        // again once it was answered success.
        let progress = LoadProgress()
        let firstChunkDone = DispatchSemaphore(value: 0)
        let loadDone = DispatchSemaphore(value: 0)
        let daemonURLs = daemons.map(\.notifyURL)
        Thread.detachNewThread {
            var pending = Array(bodies.indices)
            var round = 0
            let deadline = Date().addingTimeInterval(90)
            while (!pending.isEmpty || !progress.restarted) && Date() < deadline {
                if pending.isEmpty { usleep(50_000); continue }
                let chunk = Array(pending.prefix(16))
                var requests: [CurlStorm.Request] = []
                for (position, index) in chunk.enumerated() {
                    requests.append(CurlStorm.Request(url: daemonURLs[(round + position) % 3], body: bodies[index]))
                    requests.append(CurlStorm.Request(url: daemonURLs[(round + position + 1) % 3], body: bodies[index]))
                }
                let replies = (try? CurlStorm.send(requests, connections: 32, timeout: 60)) ?? []
                var succeeded = Set<Int>()
                for (offset, reply) in replies.enumerated() {
                    let index = chunk[offset / 2]
                    if reply.status == 200 && reply.body == "success" {
                        succeeded.insert(index)
                    } else {
                        progress.failed(status: reply.status)
                    }
                }
                progress.succeeded(succeeded)
                pending.removeAll { succeeded.contains($0) }
                // Unanswered ones go to the back, behind the ones not tried yet.
                let unanswered = chunk.filter { !succeeded.contains($0) }
                pending.removeAll { unanswered.contains($0) }
                pending += unanswered
                round += 1
                if round == 1 { firstChunkDone.signal() }
                if !unanswered.isEmpty && unanswered.count == chunk.count { usleep(100_000) }
            }
            loadDone.signal()
        }
        // The database dies while the load runs, and comes back two seconds later.
        #expect(firstChunkDone.wait(timeout: .now() + 60) == .success)
        try server.kill()
        usleep(2_000_000)
        try server.start()
        progress.restarted = true
        #expect(loadDone.wait(timeout: .now() + 120) == .success)

        // Every success is in the ledger; everything converged.
        let recorded = Set(try server.sql(database, "SELECT notify_id FROM notifications").split(separator: "\n").map(String.init))
        let answeredSuccess = progress.successes.map { notifyIDs[$0] }
        #expect(answeredSuccess.allSatisfy { recorded.contains($0) })
        #expect(progress.successes.count == bodies.count)
        #expect(recorded.count == bodies.count)
        #expect(progress.failures503 > 0) // the outage happened under load
        #expect(progress.otherFailures == 0)
        #expect(try server.sql(database, "SELECT count(*) FROM shipments") == "\(trades.count)")
        #expect(try server.sql(database, "SELECT count(*) FROM events WHERE kind = 'ship'") == "\(trades.count)")
        let logs = daemons.map(\.log).joined()
        #expect(logs.contains("reachable again") || logs.contains("writable again"))
        for daemon in daemons { #expect(daemon.stop() == 0) }
    }

    final class LoadProgress: @unchecked Sendable {
        private let lock = NSLock()
        private var succeededSet = Set<Int>()
        private var unavailable = 0
        private var other = 0
        private var restartedFlag = false

        func succeeded(_ indices: Set<Int>) { lock.withLock { succeededSet.formUnion(indices) } }
        func failed(status: Int) { lock.withLock { if status == 503 { unavailable += 1 } else { other += 1 } } }
        var successes: Set<Int> { lock.withLock { succeededSet } }
        var failures503: Int { lock.withLock { unavailable } }
        var otherFailures: Int { lock.withLock { other } }
        var restarted: Bool {
            get { lock.withLock { restartedFlag } }
            set { lock.withLock { restartedFlag = newValue } }
        }
    }
}
