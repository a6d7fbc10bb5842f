import AlipayCrypto
import AlipayNotify
import ArgumentParser
import Dispatch
import Foundation
import Ledger
import SQLiteLedger

/// `notifyd-bench check`: after a load run, compares the ledger with exactly
/// what wrk sent. Passes only if every authentic notification sent is
/// recorded once, every paid trade shipped once, and nothing else is there.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the ledger against what wrk sent (and replay what was in flight when wrk stopped).",
        discussion: """
            wrk_notify.lua gives line j of the corpus to thread j % threads, and each thread \
            cycles through its share; it writes how many requests each thread sent. From that \
            this rebuilds the exact multiset of bodies sent, verifies each distinct one with the \
            public key (independently of the daemon), and compares with the ledger. Up to \
            --connections requests may have been in flight when wrk stopped; --replay posts those \
            again, plus 200 recorded ones and every forgery, and then the ledger must match exactly.
            """
    )

    @Option(help: "The daemons' ledger: an SQLite file, or a PostgreSQL URL (read with psql).") var db: String
    @Option(help: "The corpus wrk sent.") var corpus: String
    @Option(name: .customLong("wrk-json"), help: "What wrk_notify.lua wrote (WRK_SENT_OUT).") var wrkJSON: String
    @Option(name: .customLong("alipay-public-key"), help: "The public key the corpus is signed for.") var publicKey: String
    @Option(help: "Connections of the run: how many requests may have been in flight at the end.") var connections = 64
    @Option(help: "A loopback notify URL to replay missing, recorded and forged bodies to.") var replay: String?

    struct WrkReport: Decodable {
        let threads: Int
        let sent: [Int]
    }

    struct Expectation {
        var validNotifyIDs: Set<String> = []
        var paidTrades: Set<String> = []
        var forgedBodies: [[UInt8]] = []
        var bodyByNotifyID: [String: [UInt8]] = [:]
        var requests = 0
    }

    func run() throws {
        let report = try JSONDecoder().decode(WrkReport.self, from: Data(contentsOf: URL(fileURLWithPath: wrkJSON)))
        let lines = try Data(contentsOf: URL(fileURLWithPath: corpus)).split(separator: UInt8(ascii: "\n")).map { Array($0) }
        let key = try RSAPublicKey(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: publicKey))))
        let expected = try expectation(lines: lines, report: report, verifier: NotificationVerifier(keys: [key]))
        print("sent \(expected.requests) requests: \(expected.validNotifyIDs.count) distinct authentic notify_ids, "
              + "\(expected.paidTrades.count) paid trades, \(expected.forgedBodies.count) distinct forgeries")

        var result = try compare(expected, allowedMissing: connections, stage: "after the run")
        if let replay {
            let client = try LoopbackPoster(url: replay)
            let missing = expected.validNotifyIDs.subtracting(result.recorded)
            var replayed = 0, wrongAnswers = 0
            for notifyID in missing.sorted() {
                if try client.post(expected.bodyByNotifyID[notifyID]!) != "success" { wrongAnswers += 1 }
                replayed += 1
            }
            for notifyID in result.recorded.sorted().prefix(200) {
                if try client.post(expected.bodyByNotifyID[notifyID] ?? []) != "success" { wrongAnswers += 1 }
                replayed += 1
            }
            for body in expected.forgedBodies {
                if try client.post(body) != "fail" { wrongAnswers += 1 }
                replayed += 1
            }
            print("replayed \(replayed) requests (\(missing.count) missing, up to 200 recorded, \(expected.forgedBodies.count) forged): \(wrongAnswers) wrong answers")
            result = try compare(expected, allowedMissing: 0, stage: "after the replay")
            result.passed = result.passed && wrongAnswers == 0
        }
        print(result.passed ? "LEDGER CHECK PASS" : "LEDGER CHECK FAIL")
        if !result.passed { throw ExitCode(1) }
    }

    /// The bodies wrk sent, verified: what the ledger must hold.
    func expectation(lines: [[UInt8]], report: WrkReport, verifier: NotificationVerifier) throws -> Expectation {
        var sentDistinct = Set<Int>()
        var requests = 0
        for thread in 0..<report.threads {
            let share = stride(from: thread, to: lines.count, by: report.threads).map { $0 }
            guard !share.isEmpty else { continue }
            let sent = report.sent[thread]
            requests += sent
            for position in share.prefix(sent) { sentDistinct.insert(position) }
        }
        let positions = Array(sentDistinct)
        let verdicts = VerdictSlots(count: positions.count)
        defer { verdicts.release() }
        DispatchQueue.concurrentPerform(iterations: positions.count) { index in
            let body = lines[positions[index]]
            if case .success(let verified) = verifier.verify(body: body), let notification = try? Notification(fields: verified.fields) {
                verdicts.buffer[index] = (notification.notifyID, notification.outTradeNo, notification.tradeStatus.meansPaid)
            }
        }
        var expected = Expectation()
        expected.requests = requests
        for (index, position) in positions.enumerated() {
            if let (notifyID, outTradeNo, paid) = verdicts.buffer[index] {
                expected.validNotifyIDs.insert(notifyID)
                if paid { expected.paidTrades.insert(outTradeNo) }
                if expected.bodyByNotifyID[notifyID] == nil { expected.bodyByNotifyID[notifyID] = lines[position] }
            } else {
                expected.forgedBodies.append(lines[position])
            }
        }
        return expected
    }

    struct Comparison {
        var recorded: Set<String>
        var passed: Bool
    }

    func compare(_ expected: Expectation, allowedMissing: Int, stage: String) throws -> Comparison {
        let notifyIDs = try column("SELECT notify_id FROM notifications")
        let shipped = try column("SELECT out_trade_no FROM shipments")
        let recorded = Set(notifyIDs)
        let missing = expected.validNotifyIDs.subtracting(recorded)
        let extra = recorded.subtracting(expected.validNotifyIDs)
        let missingShipments = expected.paidTrades.subtracting(shipped)
        let extraShipments = Set(shipped).subtracting(expected.paidTrades)
        let duplicateRows = notifyIDs.count - recorded.count + shipped.count - Set(shipped).count
        let passed = missing.count <= allowedMissing && missingShipments.count <= allowedMissing
            && extra.isEmpty && extraShipments.isEmpty && duplicateRows == 0
        print("\(stage): ledger \(notifyIDs.count) notifications (expected \(expected.validNotifyIDs.count), missing \(missing.count), "
              + "extra \(extra.count)); shipments \(shipped.count) (expected \(expected.paidTrades.count), missing \(missingShipments.count), "
              + "extra \(extraShipments.count)); duplicate rows \(duplicateRows); missing allowed \(allowedMissing)")
        return Comparison(recorded: recorded, passed: passed)
    }
}

extension CheckCommand {
    /// The first column of `sql`'s rows, from either kind of ledger.
    func column(_ sql: String) throws -> [String] {
        switch LedgerLocation(db) {
        case .sqlite(let path):
            return try SQLiteDatabase(path: path, readOnly: true).statement(sql).rows { $0.text(0) }
        case .postgres(let url):
            let psql = Process()
            psql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            psql.arguments = ["psql", url, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]
            let output = Pipe()
            psql.standardOutput = output
            try psql.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            psql.waitUntilExit()
            guard psql.terminationStatus == 0 else { throw ValidationError("psql failed on \(LedgerLocation(db)): \(sql)") }
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }
}

/// Per-line verdicts written by the verifying threads at distinct indices.
final class VerdictSlots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<(String, String, Bool)?>
    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }
    func release() {
        buffer.deinitialize()
        buffer.deallocate()
    }
}
