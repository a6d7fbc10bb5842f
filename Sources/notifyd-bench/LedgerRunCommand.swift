import AlipayNotify
import ArgumentParser
import Dispatch
import Foundation
import Ledger
import SQLiteLedger

/// `notifyd-bench ledger`: the ledger writer alone, without HTTP or crypto:
/// how many notifications per second one SQLite file takes in batches.
struct LedgerRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Record synthetic paid notifications straight into a fresh ledger and report the rate."
    )

    @Option(help: "Ledger file to create (removed first).")
    var db: String

    @Option(help: "Notifications to record.")
    var count = 50_000

    @Option(help: "Notifications per transaction.")
    var batch = 64

    @Flag(name: .customLong("explicit-sync"), help: "Commit with synchronous=NORMAL and fdatasync the WAL after each transaction, as the daemon does.")
    var explicitSync = false

    @Flag(name: .customLong("background-checkpoints"), help: "Checkpoint on a thread of its own, as the daemon does.")
    var backgroundCheckpoints = false

    func run() throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let store = try SQLiteLedgerStore(path: db, explicitSync: explicitSync, backgroundCheckpoints: backgroundCheckpoints)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 1280)
        var generator = SystemRandomNumberGenerator()
        let rules = BusinessRules(appIDs: ["2021000123456789"], acceptsUnknownOrders: true)
        let submissions: [LedgerSubmission] = (0..<count).map { index in
            let random = UInt32.random(in: 0..<1000, using: &generator)
            let notification = Notification(
                notifyID: "2024091100222100\(100 + random % 900)0010200\(digits(index, 9))",
                notifyTime: "2024-09-11 00:22:21", notifyType: "trade_status_sync", appID: "2021000123456789",
                outTradeNo: "T0010200\(digits(index, 8))", tradeNo: "2024091122001\(index)",
                tradeStatus: .tradeSuccess, totalAmount: Fen(8888)
            )
            return .observation(AcceptedObservation(observation: notification.observation, rawBody: body, rules: rules))
        }
        let writtenBefore = Self.bytesWritten()
        let started = DispatchTime.now().uptimeNanoseconds
        var index = 0
        var commits = 0
        while index < submissions.count {
            let end = min(index + batch, submissions.count)
            let outcomes = try store.record(Array(submissions[index..<end]))
            try store.durabilityBarrier?()
            precondition(outcomes.allSatisfy(\.isSuccess))
            index = end
            commits += 1
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        if let attributes = try? FileManager.default.attributesOfItem(atPath: db + "-wal"), let size = attributes[.size] as? Int {
            print("wal file: \(size / 1024) KB, \(size / 4120) frames, \(Double(size) / 4120 / Double(commits)) frames per transaction")
        }
        print(String(format: "ledger: %d notifications in %d transactions of %d: %.2f s, %.0f notifications/s, %.1f µs each, %.1f KB written each",
                     count, commits, batch, seconds, Double(count) / seconds, seconds * 1e6 / Double(count),
                     Double(Self.bytesWritten() - writtenBefore) / 1024 / Double(count)))
    }

    /// Bytes this process has written so far (`wchar` in /proc/self/io).
    static func bytesWritten() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("wchar:") }) else { return 0 }
        return Int(line.split(separator: " ").last ?? "0") ?? 0
    }
}
