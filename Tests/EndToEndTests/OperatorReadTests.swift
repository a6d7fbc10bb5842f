import Foundation
import Testing
import TestSupport

/// What an operator reads comes from a reading connection of its own: it
/// waits neither for the writer nor for a lock another process holds, and
/// a scrape of a large ledger answers from the gauges kept.
@Suite struct OperatorReadTests {
    @Test func aScrapeOfAMillionOrdersAnswersFromTheGaugesKept() throws {
        let directory = TemporaryDirectory("e2e-million")
        let database = directory.file("ledger.db")
        _ = try DaemonProcess.command(["orders", "add", "--db", database, "FIRST", "1.00"])
        let filled = try ChildProcess.run("sqlite3", [database, """
            INSERT INTO orders (out_trade_no, total_fen, created_at)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
            SELECT 'BULK' || i, 100, '2026-12-07T00:00:00.000Z' FROM n
            """], timeout: 120)
        try #require(filled.status == 0, "\(filled.stderr)")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        let first = try Curl.get(daemon.adminURL + "/metrics")
        #expect(first.body.contains("alipay_notifyd_orders{state=\"open\"} 1000001"))
        var seconds: [Double] = []
        for _ in 0..<11 {
            let scrape = try Curl.get(daemon.adminURL + "/metrics")
            #expect(scrape.body.contains("alipay_notifyd_orders{state=\"open\"} 1000001"))
            seconds.append(scrape.seconds)
        }
        let median = seconds.sorted()[seconds.count / 2]
        print("metrics: a scrape of 1,000,001 orders: the first (reading the counts) \(Int(first.seconds * 1000)) ms, then median \(String(format: "%.2f", median * 1000)) ms with curl")
        #expect(median < min(0.005, first.seconds / 4), "scrapes after the first took \(seconds) s; the first \(first.seconds) s")
        #expect(daemon.stop() == 0)
    }

    @Test func aTradeAndTheMetricsAreReadWhileTheWriterWaitsForALock() throws {
        let directory = TemporaryDirectory("e2e-read-locked")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, extra: ["--accept-unknown-orders"]),
                                       directory: directory)
        #expect(try Curl.post(daemon.notifyURL, body: SignedNotification.paid("READ-1", amount: "9.00", notifyID: "read-1")).body == "success")

        // An operator's sqlite3 holds the write lock: the writer waits its busy timeout on the next notification.
        let locker = try SpawnedProcess(["sqlite3", daemon.databasePath], input: true, output: .null)
        try locker.standardInput!.write(contentsOf: Data("BEGIN EXCLUSIVE;\n".utf8))
        usleep(300_000)
        let waiting = Thread {
            _ = try? Curl.post(daemon.notifyURL, body: SignedNotification.paid("READ-2", amount: "9.00", notifyID: "read-2"))
        }
        waiting.start()
        usleep(300_000)
        let trade = try Curl.get(daemon.adminURL + "/trades/READ-1")
        let metrics = try Curl.get(daemon.adminURL + "/metrics")
        try locker.standardInput!.write(contentsOf: Data("ROLLBACK;\n.quit\n".utf8))
        try locker.standardInput!.close()
        locker.waitUntilExit()
        print("reads during a lock: GET /trades \(Int(trade.seconds * 1000)) ms, GET /metrics \(Int(metrics.seconds * 1000)) ms")
        #expect(trade.status == 200 && trade.body.contains("READ-1"))
        #expect(trade.seconds < 1, "the trade's read waited \(trade.seconds) s for the writer")
        #expect(metrics.status == 200 && metrics.body.contains("alipay_notifyd_outbox_pending_events 1"))
        #expect(metrics.seconds < 1, "the scrape waited \(metrics.seconds) s for the writer")
        #expect(daemon.stop() == 0)
    }

    @Test func aScrapeWhoseGaugesCannotBeReadSaysSoInTheLogAndCountsIt() throws {
        let directory = TemporaryDirectory("e2e-gauges-fail")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        let healthy = try Curl.get(daemon.adminURL + "/metrics")
        #expect(healthy.body.contains("alipay_notifyd_ledger_readable 1"))
        #expect(healthy.body.contains("alipay_notifyd_ledger_read_errors_total 0"))
        // An operator's mistake: a table the gauges read is gone.
        _ = try daemon.sql("DROP TABLE refund_requests")
        for _ in 0..<3 {
            let scrape = try Curl.get(daemon.adminURL + "/metrics")
            #expect(scrape.status == 200)
            #expect(scrape.body.contains("alipay_notifyd_ledger_readable 0"))
        }
        let last = try Curl.get(daemon.adminURL + "/metrics")
        let errors = last.body.split(separator: "\n").first { $0.hasPrefix("alipay_notifyd_ledger_read_errors_total ") }
        #expect(errors.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0 >= 4, "\(errors ?? "no counter")")
        let lines = daemon.log.split(separator: "\n").filter { $0.contains("cannot read the ledger's gauges") }
        #expect(lines.count == 1, "said once a minute, not at every scrape: \(lines)")
        #expect(lines.first?.contains("refund_requests") == true, "the log names the cause: \(lines)")
        _ = daemon.stop()
    }
}
