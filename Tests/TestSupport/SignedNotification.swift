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

    public static func body(_ fields: [(String, String)]) throws -> String {
        let input = fields.map { "\($0.0)=\($0.1)" }.joined(separator: "\n") + "\n"
        let result = try DaemonProcess.command(["sign", "--private-key", Fixtures.path(Fixtures.currentPrivateKey)], input: Array(input.utf8))
        guard result.status == 0 else { throw TestError("sign failed: \(result.stderr)") }
        return result.stdout
    }

    public static func paid(_ outTradeNo: String, amount: String, notifyID: String, status: String = "TRADE_SUCCESS",
                            extra: [(String, String)] = []) throws -> String {
        try body(fields(outTradeNo: outTradeNo, amount: amount, notifyID: notifyID, status: status, extra: extra))
    }
}
