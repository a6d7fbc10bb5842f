import Foundation

/// Notifications signed with the fixture key (as Alipay would sign them),
/// made with the daemon's own `sign` command.
public enum SignedNotification {
    /// The fields of a trade notification for the fixtures' app and seller.
    public static func fields(outTradeNo: String, amount: String, notifyID: String, status: String = "TRADE_SUCCESS",
                              extra: [(String, String)] = []) -> [(String, String)] {
        [("notify_id", notifyID), ("notify_type", "trade_status_sync"), ("notify_time", "2024-06-03 02:30:11"),
         ("app_id", Fixtures.config.app_id), ("seller_id", Fixtures.config.seller_id), ("charset", "utf-8"),
         ("out_trade_no", outTradeNo), ("trade_no", "2024\(outTradeNo)"), ("trade_status", status),
         ("total_amount", amount), ("subject", "测试商品 \(outTradeNo)")] + extra
    }

    public static func body(_ fields: [(String, String)], privateKey: String = Fixtures.currentPrivateKey) throws -> String {
        let input = fields.map { "\($0.0)=\($0.1)" }.joined(separator: "\n") + "\n"
        let result = try DaemonProcess.command(["sign", "--private-key", Fixtures.path(privateKey)], input: Array(input.utf8))
        guard result.status == 0 else { throw TestError("sign failed: \(result.stderr)") }
        return result.stdout
    }

    public static func paid(_ outTradeNo: String, amount: String, notifyID: String, status: String = "TRADE_SUCCESS",
                            extra: [(String, String)] = []) throws -> String {
        try body(fields(outTradeNo: outTradeNo, amount: amount, notifyID: notifyID, status: status, extra: extra))
    }
}

extension SignedNotification {
    /// Signs many notifications, several `sign` processes at a time.
    public static func bodies(_ fieldLists: [[(String, String)]]) throws -> [String] {
        let results = SignedBodies(count: fieldLists.count)
        let lists = UncheckedSendable(fieldLists)
        DispatchQueue.concurrentPerform(iterations: fieldLists.count) { index in
            results.set(index, Result { try body(lists.value[index]) })
        }
        return try results.all.map { try $0!.get() }
    }
}

private final class SignedBodies: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<String, any Error>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<String, any Error>) { lock.withLock { values[index] = value } }
    var all: [Result<String, any Error>?] { lock.withLock { values } }
}
