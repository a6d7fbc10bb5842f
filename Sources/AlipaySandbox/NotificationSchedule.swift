import AlipayCrypto
import AlipayNotify
import Dispatch
import Foundation

/// Sends a paid trade's signed notification to the merchant's notify_url
/// the way Alipay does: at once, then again after 4 m, 10 m, 10 m, 1 h,
/// 2 h, 6 h and 15 h (divided by `timeScale`), until the answer's body is
/// `success`.
public final class NotificationSchedule: Sendable {
    /// Posts a body to a URL and returns the answer's status and body, or
    /// why it could not.
    public typealias Post = @Sendable (_ url: String, _ body: [UInt8]) -> Result<(status: Int, body: [UInt8]), any Error>

    /// Alipay's waits before each try after the first, in seconds.
    public static let retryDelays: [Double] = [0, 240, 600, 600, 3600, 7200, 21600, 54000]

    let signer: NotificationSigner
    let post: Post
    let queue = DispatchQueue(label: "sandbox-notifications")
    let log: @Sendable (String) -> Void

    public init(alipayPrivateKey: RSAPrivateKey, post: @escaping Post, log: @escaping @Sendable (String) -> Void = { _ in }) {
        signer = NotificationSigner(key: alipayPrivateKey)
        self.post = post
        self.log = log
    }

    /// The notification of `trade`'s current status, signed.
    public func body(for trade: SandboxTrade, appID: String, sellerID: String, notifyID: String) throws -> [UInt8] {
        var pairs: [(key: String, value: String)] = [
            ("notify_time", ChinaTime.format(secondsSince1970: Int64(Date().timeIntervalSince1970))), ("notify_type", "trade_status_sync"),
            ("notify_id", notifyID), ("charset", "utf-8"), ("version", "1.0"), ("app_id", appID), ("seller_id", sellerID),
            ("trade_no", trade.tradeNo), ("out_trade_no", trade.outTradeNo), ("trade_status", trade.status.rawValue),
            ("total_amount", trade.totalAmount.description), ("receipt_amount", trade.totalAmount.description),
        ]
        if let paidAt = trade.paidAt { pairs.append(("gmt_payment", paidAt)) }
        if trade.refundedTotal > .zero { pairs.append(("refund_fee", trade.refundedTotal.description)) }
        return try signer.sign(pairs: pairs)
    }

    /// Sends `body` on Alipay's schedule until it reads `success`; `done`
    /// gets the number of tries it took, or nil when every try failed.
    public func deliver(_ body: [UInt8], to url: String, timeScale: Double, done: (@Sendable (Int?) -> Void)? = nil) {
        schedule(body, url: url, timeScale: max(timeScale, 1), attempt: 0, done: done)
    }

    private func schedule(_ body: [UInt8], url: String, timeScale: Double, attempt: Int, done: (@Sendable (Int?) -> Void)?) {
        guard attempt < Self.retryDelays.count else {
            log("gave up on \(url) after \(attempt) tries")
            done?(nil)
            return
        }
        queue.asyncAfter(deadline: .now() + Self.retryDelays[attempt] / timeScale) { [self] in
            switch post(url, body) {
            case .success(let answer) where answer.status == 200 && answer.body == Array("success".utf8):
                log("notification delivered to \(url) on try \(attempt + 1)")
                done?(attempt + 1)
            case .success(let answer):
                log("try \(attempt + 1) to \(url): HTTP \(answer.status) '\(String(decoding: answer.body.prefix(40), as: UTF8.self))'; will retry")
                schedule(body, url: url, timeScale: timeScale, attempt: attempt + 1, done: done)
            case .failure(let error):
                log("try \(attempt + 1) to \(url): \(error); will retry")
                schedule(body, url: url, timeScale: timeScale, attempt: attempt + 1, done: done)
            }
        }
    }
}
