import AlipayCrypto
import AlipayNotify
import AlipayOpenAPI
import Foundation
import GatewayTransport
import Ledger

/// The daemon's way to ask Alipay: a request signed with the app key, sent
/// over the transport (TLS verified, bounded in time), and its answer read
/// with Alipay's keys. Whatever happens, the result is a `GatewayAnswer`
/// with an id of its own; only a verified answer decides anything.
public final class AlipayGatewayClient: GatewayCalling {
    let app: MerchantApp
    let alipayKeys: [RSAPublicKey]
    let transport: any GatewayPosting
    let secondsSince1970: @Sendable () -> Int64

    public init(app: MerchantApp, alipayKeys: [RSAPublicKey], transport: any GatewayPosting,
                secondsSince1970: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.app = app
        self.alipayKeys = alipayKeys
        self.transport = transport
        self.secondsSince1970 = secondsSince1970
    }

    /// The gateway's address, for messages.
    public var gatewayURL: String { transport.gatewayURL }

    /// The transport's whole-call limit and a margin.
    public var callSeconds: Double { transport.totalTimeout.inSeconds + 5 }

    /// Makes one call and says what it established.
    public func call(_ request: GatewayRequest, outTradeNo: String) -> GatewayAnswer {
        let requestedAt = Timestamp.now()
        let callID = Self.callID(request.method, outTradeNo: outTradeNo)
        var body: [UInt8] = []
        let outcome: GatewayOutcome
        do {
            let signed = try request.signedBody(app: app, timestamp: GatewayTimestamp(secondsSince1970: secondsSince1970()))
            switch transport.post(form: signed) {
            case .answered(let response):
                body = response.body
                outcome = GatewayOutcome.classify(httpStatus: response.status, body: response.body, method: request.method, keys: alipayKeys)
                    .answering(request)
            case .unknown(let error):
                outcome = .unknown(.transport("\(error)"))
            }
        } catch {
            outcome = .unknown(.transport("the request could not be signed with app-private-key: \(error)"))
        }
        return GatewayAnswer(callID: callID, method: request.method, outTradeNo: outTradeNo, requestedAt: requestedAt,
                             answeredAt: Timestamp.now(), outcome: outcome, body: body,
                             statedAt: GatewayTimestamp(secondsSince1970: secondsSince1970()))
    }

    /// An id no other call (of any daemon) has: the method, the order, the
    /// time and randomness. It is also the observation id of its answer.
    static func callID(_ method: GatewayMethod, outTradeNo: String) -> String {
        let verb = method.rawValue.split(separator: ".").last.map(String.init) ?? method.rawValue
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return "gw-\(verb)-\(outTradeNo)-\(Int64(Date().timeIntervalSince1970 * 1000))-\(random)"
    }
}
