import AlipayCrypto
import AlipayNotify
import ArgumentParser
import Dispatch
import Foundation

/// `notifyd-bench corpus`: a file of signed notification bodies, one per
/// line, shaped like Alipay's (about 1.25 KB, Chinese text, a JSON
/// fund_bill_list), with the mix of repeats Alipay really sends.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Generate a signed corpus: distinct paid notifications plus duplicates, re-signed retries, resends and forgeries.",
        discussion: """
            Kinds of line: original (a new trade, a new notify_id), duplicate (a byte-identical \
            copy of an original), retry (the same notify_id, a later notify_time, signed again), \
            resend (a new notify_id for an already paid trade), bad_sign (an original with its \
            total_amount changed after signing). Lines are shuffled with --seed, so every run with \
            the same arguments writes the same file. Signing runs on every core.
            """
    )

    @Option(help: "Distinct original notifications.")
    var count = 40_000

    @Option(name: .customLong("duplicates-fraction")) var duplicatesFraction = 0.05
    @Option(name: .customLong("retry-fraction")) var retryFraction = 0.02
    @Option(name: .customLong("resend-fraction")) var resendFraction = 0.03
    @Option(name: .customLong("bad-sign-fraction")) var badSignFraction = 0.005

    @Option(help: "Seed of the pseudo-random choices.")
    var seed: UInt64 = 1

    @Option(name: .customLong("private-key"), help: "The key that plays Alipay's (a test key).")
    var privateKey: String

    @Option(name: .customLong("app-id"))
    var appID = "2021000123456789"

    @Option(name: .customLong("seller-id"))
    var sellerID = "2088101122136241"

    @Option(help: "Output file (a manifest is written next to it as FILE.manifest.json).")
    var out: String

    enum Kind: String {
        case original, duplicate, retry, resend, badSign = "bad_sign"
    }

    struct Planned {
        let kind: Kind
        let index: Int
        var pairs: [(key: String, value: String)]
        var tamper = false
        var copyOf: Int?
        /// Where the line goes in the file (sorted ascending).
        var position = 0.0
    }

    func run() throws {
        let key = try RSAPrivateKey(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: privateKey))))
        let signer = NotificationSigner(key: key)
        var random = SplitMix64(seed: seed)
        let started = Date()

        var plan: [Planned] = (0..<count).map {
            Planned(kind: .original, index: $0, pairs: Self.pairs(index: $0, notifyIndex: $0, minuteOffset: 0, random: &random, appID: appID, sellerID: sellerID),
                    position: Double($0))
        }
        func later(than original: Int) -> Double { Double(original) + 1 + Double(random.next() % 2000) + 0.5 }
        var extraNotifyIndex = count
        func pick() -> Int { Int(random.next() % UInt64(count)) }
        for _ in 0..<Int(Double(count) * duplicatesFraction) {
            let original = pick()
            plan.append(Planned(kind: .duplicate, index: plan.count, pairs: [], copyOf: original, position: later(than: original)))
        }
        for _ in 0..<Int(Double(count) * retryFraction) {
            let original = pick()
            var pairs = plan[original].pairs
            pairs = pairs.map { $0.key == "notify_time" ? ($0.key, "2024-09-11 00:2\(random.next() % 10):\(10 + random.next() % 50)") : $0 }
            plan.append(Planned(kind: .retry, index: plan.count, pairs: pairs, position: later(than: original)))
        }
        for _ in 0..<Int(Double(count) * resendFraction) {
            let originalIndex = pick()
            let original = plan[originalIndex]
            extraNotifyIndex += 1
            let outTradeNo = original.pairs.first { $0.key == "out_trade_no" }!.value
            var pairs = Self.pairs(index: original.index, notifyIndex: extraNotifyIndex, minuteOffset: 5, random: &random, appID: appID, sellerID: sellerID)
            pairs = pairs.map { $0.key == "out_trade_no" ? ($0.key, outTradeNo) : $0 }
            plan.append(Planned(kind: .resend, index: plan.count, pairs: pairs, position: later(than: originalIndex)))
        }
        for _ in 0..<Int(Double(count) * badSignFraction) {
            extraNotifyIndex += 1
            let pairs = Self.pairs(index: count + extraNotifyIndex, notifyIndex: extraNotifyIndex, minuteOffset: 9, random: &random, appID: appID, sellerID: sellerID)
            plan.append(Planned(kind: .badSign, index: plan.count, pairs: pairs, tamper: true,
                                position: Double(random.next() % UInt64(count)) + 0.25))
        }

        // Sign everything that is not a byte copy, on every core.
        let slots = BodySlots(count: plan.count)
        defer { slots.release() }
        let bodies = slots.buffer
        let failures = LockedCount()
        let snapshot = plan
        DispatchQueue.concurrentPerform(iterations: plan.count) { position in
            let item = snapshot[position]
            guard item.kind != .duplicate else { return }
            do {
                var signed = try signer.sign(pairs: item.pairs)
                if item.tamper {
                    let text = String(decoding: signed, as: UTF8.self)
                        .replacingOccurrences(of: "total_amount=", with: "total_amount=1")
                    signed = Array(text.utf8)
                }
                slots.buffer[position] = signed
            } catch {
                failures.add()
            }
        }
        guard failures.value == 0 else { throw ValidationError("\(failures.value) lines could not be signed") }
        for position in plan.indices where plan[position].kind == .duplicate {
            bodies[position] = bodies[plan[position].copyOf!]
        }

        // Originals in order, repeats after them.
        let order = plan.indices.sorted { plan[$0].position < plan[$1].position }
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: out) else { throw ValidationError("cannot write \(out)") }
        var buffer: [UInt8] = []
        for position in order {
            buffer.append(contentsOf: bodies[position])
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count > 1 << 20 {
                handle.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer))
        try handle.close()

        var kinds: [String: Int] = [:]
        for item in plan { kinds[item.kind.rawValue, default: 0] += 1 }
        let seconds = Date().timeIntervalSince(started)
        let totalBytes = order.reduce(0) { $0 + bodies[$1].count }
        let manifest = """
            {"lines": \(plan.count), "distinct_valid_notify_ids": \(count + kinds["resend", default: 0]), \
            "paid_trades": \(count), "kinds": {\(kinds.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", "))}, \
            "average_body_bytes": \(totalBytes / max(1, plan.count)), "seed": \(seed), "seconds": \(Int(seconds))}
            """
        try Data((manifest + "\n").utf8).write(to: URL(fileURLWithPath: out + ".manifest.json"))
        print(manifest)
    }

    /// The parameters of one paid notification, in Alipay's documented order.
    static func pairs(index: Int, notifyIndex: Int, minuteOffset: Int, random: inout SplitMix64,
                      appID: String, sellerID: String) -> [(key: String, value: String)] {
        let amount = Fen(Int64(100 + random.next() % 99_900))
        let second = 10 + Int(random.next() % 49)
        let subjects = ["iPhone 手机壳-订单", "年度会员订阅 VIP", "咖啡豆 1kg (深烘)", "Book \"Swift\" & more", "测试商品 🎁 礼物"]
        return [
            ("gmt_create", "2024-09-11 00:2\(minuteOffset):00"),
            ("charset", "utf-8"),
            ("seller_email", "merchant_shop@example.com"),
            ("subject", subjects[index % subjects.count] + "\(index)"),
            ("buyer_id", "2088\(digits(random.next() % 1_000_000_000_000, 12))"),
            ("invoice_amount", amount.description),
            // Alipay's notify_ids carry a random part: inserts into the unique index land all over it.
            ("notify_id", "202409110022210\(digits(random.next() % 1000, 3))\(digits(notifyIndex, 16))"),
            ("fund_bill_list", "[{\"amount\":\"\(amount)\",\"fundChannel\":\"ALIPAYACCOUNT\"}]"),
            ("notify_type", "trade_status_sync"),
            ("trade_status", "TRADE_SUCCESS"),
            ("receipt_amount", amount.description),
            ("app_id", appID),
            ("buyer_pay_amount", amount.description),
            ("seller_id", sellerID),
            ("gmt_payment", "2024-09-11 00:2\(minuteOffset):\(second)"),
            ("notify_time", "2024-09-11 00:2\(minuteOffset):\(second + 1)"),
            ("version", "1.0"),
            ("out_trade_no", "T\(digits(index, 15))"),
            ("total_amount", amount.description),
            ("trade_no", "2024091122001\(digits(index, 15))"),
            ("auth_app_id", appID),
            ("buyer_logon_id", "159****\(digits(random.next() % 10_000, 4))"),
            ("point_amount", "0.00"),
        ]
    }
}

/// `value` in decimal, zero-padded to `width` digits.
func digits<T: BinaryInteger>(_ value: T, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

/// A small deterministic generator (SplitMix64), so a seed always gives the same corpus.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One slot per line, written by the signing threads at distinct indices.
final class BodySlots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<[UInt8]>
    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: [])
    }
    func release() {
        buffer.deinitialize()
        buffer.deallocate()
    }
}

/// A counter shared by the signing threads.
final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
