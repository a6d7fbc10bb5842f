import Foundation
import Testing
import TestSupport

/// Several daemons behind a load balancer sharing one PostgreSQL ledger:
/// real processes, real curl, a real PostgreSQL server.
@Suite struct SharedLedgerTests {
    /// Daemons on one PostgreSQL database.
    final class Instances: Sendable {
        let directory = TemporaryDirectory("e2e-shared")
        let database: String
        let daemons: [DaemonProcess]

        init(database: String, count: Int = 3, extra: [String] = []) throws {
            self.database = database
            let directory = self.directory
            daemons = try (0..<count).map { _ in
                try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, database: database, extra: extra), directory: directory)
            }
        }

        func addOrder(_ outTradeNo: String, _ amount: String, business: String? = nil) throws {
            let result = try DaemonProcess.command(["orders", "add", "--db", database, outTradeNo, amount]
                                                   + (business.map { ["--business-order", $0] } ?? []))
            #expect(result.status == 0, "\(result.stderr)")
        }

        func stop() {
            for daemon in daemons { #expect(daemon.stop() == 0, "\(daemon.log)") }
        }
    }

    @Test func theFixtureScenariosEndTheSameWhenTheirStepsAreSpreadOverThreeDaemons() throws {
        let database = try PostgresServer.shared.makeDatabase()
        let instances = try Instances(database: database)
        for scenario in Fixtures.scenarios {
            for order in scenario.orders { try instances.addOrder(order.out_trade_no, order.total_amount) }
        }
        let scenarios = Fixtures.scenarios
        let replies = Replies()
        // The scenarios run at the same time; each one's steps go to the daemons in turn.
        DispatchQueue.concurrentPerform(iterations: scenarios.count) { index in
            for (step, notification) in scenarios[index].steps.enumerated() {
                let daemon = instances.daemons[(index + step) % instances.daemons.count]
                let reply = (try? Curl.post(daemon.notifyURL, body: notification.body))?.body ?? "curl failed"
                replies.add("\(scenarios[index].name) step \(step + 1): \(reply)", expected: "\(scenarios[index].name) step \(step + 1): \(notification.expect_reply)")
            }
        }
        #expect(replies.got == replies.expected)
        for scenario in scenarios {
            let trades = scenario.orders.map { "'\($0.out_trade_no)'" }.joined(separator: ",")
            for (outTradeNo, shipments) in scenario.expect.shipments {
                #expect(try PostgresServer.shared.sql(database, "SELECT count(*) FROM shipments WHERE out_trade_no = '\(outTradeNo)'") == "\(shipments)",
                        "\(scenario.name): shipments of \(outTradeNo)")
            }
            #expect(try PostgresServer.shared.sql(database, "SELECT count(*) FROM events WHERE kind = 'refund' AND out_trade_no IN (\(trades))")
                    == "\(scenario.expect.refund_events)", "\(scenario.name)")
            let closed = try PostgresServer.shared.sql(database, "SELECT out_trade_no FROM trades WHERE close_reason IS NOT NULL AND out_trade_no IN (\(trades)) ORDER BY 1")
            #expect(closed == scenario.expect.closed.sorted().joined(separator: "\n"), "\(scenario.name)")
        }
        instances.stop()
    }

    @Test func aStormOverThreeDaemonsShipsEveryPaidTradeOnce() throws {
        let database = try PostgresServer.shared.makeDatabase()
        let instances = try Instances(database: database)
        let trades = (0..<40).map { String(format: "STORM%04d", $0) }
        for trade in trades { try instances.addOrder(trade, "12.34") }
        // Five business orders paid twice each, through two serials.
        for index in 0..<5 {
            try instances.addOrder("SERIAL\(index)A", "5.00", business: "BIZ\(index)")
            try instances.addOrder("SERIAL\(index)B", "5.00", business: "BIZ\(index)")
        }
        var fieldLists: [[(String, String)]] = []
        for trade in trades {
            fieldLists.append(SignedNotification.fields(outTradeNo: trade, amount: "12.34", notifyID: "pay-\(trade)"))
            // The same notify_id signed again at a later notify_time (Alipay's retry).
            var retry = SignedNotification.fields(outTradeNo: trade, amount: "12.34", notifyID: "pay-\(trade)")
            retry[2] = ("notify_time", "2024-06-03 02:34:11")
            fieldLists.append(retry)
            // A new notify_id for the same paid trade, and the trade finishing.
            fieldLists.append(SignedNotification.fields(outTradeNo: trade, amount: "12.34", notifyID: "resend-\(trade)"))
            fieldLists.append(SignedNotification.fields(outTradeNo: trade, amount: "12.34", notifyID: "finish-\(trade)", status: "TRADE_FINISHED"))
        }
        for index in 0..<5 {
            for serial in ["A", "B"] {
                fieldLists.append(SignedNotification.fields(outTradeNo: "SERIAL\(index)\(serial)", amount: "5.00", notifyID: "serial-\(index)\(serial)"))
            }
        }
        let bodies = try SignedNotification.bodies(fieldLists)
        var requests: [(body: String, valid: Bool)] = []
        for body in bodies {
            // Every body three times, byte for byte (Alipay's retries meeting each other).
            requests += Array(repeating: (body, true), count: 3)
        }
        // Forgeries: a signed body with its amount changed.
        for body in bodies.prefix(8) {
            requests.append((body.replacingOccurrences(of: "total_amount=12.34", with: "total_amount=0.01"), false))
        }
        var generator = SeededGenerator(seed: 6)
        requests.shuffle(using: &generator)
        let sent = requests.enumerated().map { index, request in
            CurlStorm.Request(url: instances.daemons[index % instances.daemons.count].notifyURL, body: request.body)
        }
        let replies = try CurlStorm.send(sent, connections: 64)

        for (request, reply) in zip(requests, replies) {
            #expect(reply.body == (request.valid ? "success" : "fail"), "\(reply.status) \(reply.body)")
        }
        func sql(_ query: String) throws -> String { try PostgresServer.shared.sql(database, query) }
        // One row per notify_id: the re-signed retries share theirs with the payment.
        #expect(try sql("SELECT count(*) FROM notifications") == "\(bodies.count - trades.count)")
        #expect(try sql("SELECT count(*) FROM shipments") == "\(trades.count + 5)")
        #expect(try sql("SELECT count(*) FROM events WHERE kind = 'ship'") == "\(trades.count + 5)")
        #expect(try sql("SELECT count(*) FROM events WHERE kind = 'duplicate_payment'") == "5")
        #expect(try sql("SELECT count(*) FROM trades WHERE status = 'TRADE_FINISHED'") == "\(trades.count)")
        #expect(try sql("SELECT count(*) FROM notifications WHERE total_fen = 1") == "0")
        instances.stop()
    }

    final class Replies: @unchecked Sendable {
        private let lock = NSLock()
        private var gotList: [String] = []
        private var expectedList: [String] = []
        func add(_ got: String, expected: String) { lock.withLock { gotList.append(got); expectedList.append(expected) } }
        var got: [String] { lock.withLock { gotList.sorted() } }
        var expected: [String] { lock.withLock { expectedList.sorted() } }
    }
}
