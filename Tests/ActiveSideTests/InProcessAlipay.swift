import ActiveSide
import AlipayCrypto
import AlipayNotify
import AlipayOpenAPI
@testable import AlipaySandbox
import Foundation
import GatewayTransport
import HTTPClient
import Ledger
import Logging
import Observability
import SQLiteLedger
import TestSupport

/// Alipay in this process: the sandbox's gateway answers every request the
/// real client signs (signatures checked, answers signed over their node),
/// with no network in between, so the active side is tested as units. A
/// script of transport failures plays timeouts.
final class InProcessAlipay: GatewayPosting, @unchecked Sendable {
    static let appID = "2021000123456789"
    let book = SandboxTradeBook()
    let gateway: SandboxGateway
    private let lock = NSLock()
    private var timeouts: [String: Int] = [:]
    private var beforeAnswering: [String: @Sendable () -> Void] = [:]

    init() throws {
        let alipayKey = try RSAPrivateKey(bytes: Fixtures.bytes(Fixtures.currentPrivateKey))
        let appKey = try RSAPrivateKey(bytes: Fixtures.bytes(Fixtures.nextPrivateKey))
        gateway = SandboxGateway(configuration: SandboxConfiguration(alipayPrivateKey: alipayKey, appPublicKey: try appKey.publicKey(),
                                                                     appID: Self.appID),
                                 book: book)
    }

    var gatewayURL: String { "in-process Alipay" }
    var totalTimeout: Duration { .seconds(1) }

    func post(form body: [UInt8]) -> GatewayTransportResult {
        let method = (try? FormFields(body: body))?.nonEmptyString("method") ?? ""
        let timesOut = lock.withLock { () -> Bool in
            guard let left = timeouts[method], left > 0 else { return false }
            timeouts[method] = left - 1
            return true
        }
        if timesOut { return .unknown(Self.timeout) }
        lock.withLock { beforeAnswering.removeValue(forKey: method) }?()
        return .answered(GatewayResponse(status: 200, body: gateway.answer(body: body).body))
    }

    /// Runs `action` once, when the next call of `method` arrives (before it is answered).
    func beforeAnswering(_ method: GatewayMethod, _ action: @escaping @Sendable () -> Void) {
        lock.withLock { beforeAnswering[method.rawValue] = action }
    }

    /// The next `count` calls of `method` time out (their result is unknown).
    func timeOut(_ method: GatewayMethod, times count: Int) {
        lock.withLock { timeouts[method.rawValue] = count }
    }

    /// Arms one of the sandbox's faults (busy, unsigned, forged, …).
    func fault(_ fault: SandboxFault, _ method: GatewayMethod, _ outTradeNo: String, times: Int? = 1,
               other: (outTradeNo: String, requestNo: String?)? = nil) {
        book.arm(ArmedFault(fault: fault, outTradeNo: outTradeNo, method: method.rawValue, remaining: times, delaySeconds: 0, other: other))
    }

    /// The buyer pays `outTradeNo` at Alipay.
    func pay(_ outTradeNo: String, _ fen: Int64) {
        book.create(outTradeNo, totalAmount: Fen(fen))
        book.update(outTradeNo) { trade in
            trade.status = .tradeSuccess
            trade.paidAt = ChinaTime.format(secondsSince1970: Int64(Date().timeIntervalSince1970))
        }
    }

    /// Calls of `method` the sandbox answered for `outTradeNo`.
    func calls(_ method: GatewayMethod, _ outTradeNo: String) -> Int {
        book.calls(outTradeNo: outTradeNo).filter { $0.method == method.rawValue }.count
    }

    /// The real client, over this Alipay.
    func client() throws -> AlipayGatewayClient {
        AlipayGatewayClient(app: MerchantApp(appID: Self.appID, privateKey: try RSAPrivateKey(bytes: Fixtures.bytes(Fixtures.nextPrivateKey))),
                            alipayKeys: [try RSAPublicKey(bytes: Fixtures.bytes(Fixtures.currentPublicKeyPEM))], transport: self)
    }

    private static let timeout = GatewayTransportError(HTTPClientError(
        kind: .totalTimeout, host: "in-process", detail: "Operation timed out", curlCode: 28,
        remedy: "the server may have received and acted on the request."))
}

/// A ledger, its writer and the active side's steps over an in-process Alipay.
final class ActiveSideBench: @unchecked Sendable {
    let directory = TemporaryDirectory("active-side")
    let alipay: InProcessAlipay
    let writer: LedgerWriter
    let metrics = Metrics()
    let logger = Logger(label: "active-side-test")
    let rules = BusinessRules(appIDs: [InProcessAlipay.appID])
    let policy: ReconciliationPolicy
    let reconciliation: ReconciliationStep
    let refunds: RefundStep

    init(policy: ReconciliationPolicy = ReconciliationPolicy()) throws {
        alipay = try InProcessAlipay()
        writer = LedgerWriter(store: try SQLiteLedgerStore(path: directory.file("ledger.db"), explicitSync: true), logger: logger)
        self.policy = policy
        let client = try alipay.client()
        let rules = self.rules
        reconciliation = ReconciliationStep(writer: writer, gateway: client, policy: policy, rules: { rules }, metrics: metrics, logger: logger)
        var refundPolicy = RefundPolicy()
        refundPolicy.queryPause = .milliseconds(1)
        refunds = RefundStep(writer: writer, gateway: client, policy: refundPolicy, rules: { rules }, metrics: metrics, logger: logger)
    }

    deinit {
        writer.shutdown()
    }

    /// Registers an order due for its first query now.
    @discardableResult
    func order(_ outTradeNo: String, _ fen: Int64, businessOrder: String? = nil, expiresIn: Double = 600) throws -> MerchantOrder {
        let order = MerchantOrder(outTradeNo: outTradeNo, totalAmount: Fen(fen), businessOrder: businessOrder,
                                  expiresAt: Timestamp.fromNow(seconds: expiresIn))
        try writer.performAndWait { store in try store.addOrder(order, firstQueryAt: Timestamp.fromNow(seconds: -1)) }
        return order
    }

    func reconciliation(_ outTradeNo: String) throws -> OrderReconciliation {
        try writer.performAndWait { store in try store.reconciliation(outTradeNo) }!
    }

    func details(_ outTradeNo: String) throws -> TradeDetails? {
        try writer.performAndWait { store in try store.tradeDetails(outTradeNo) }
    }
}
