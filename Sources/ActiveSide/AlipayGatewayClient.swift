import AlipayCrypto
import AlipayNotify
import AlipayOpenAPI
import Foundation
import GatewayTransport
import Ledger
import Logging

/// The daemon's way to ask Alipay: a request signed with the app key, sent
/// over the transport (TLS verified, bounded in time), and its answer read
/// with Alipay's keys, from the key set in force at each call. Whatever
/// happens, the result is a `GatewayAnswer` with an id of its own; only a
/// verified answer to this very request decides anything.
///
/// In certificate mode an answer signed with a certificate the daemon does
/// not hold (Alipay rotated it) makes the client fetch that certificate
/// (`alipay.open.app.alipaycert.download`), believe it only if it chains
/// to `alipay-root-cert` and is within its validity, keep it beside the old
/// ones, and read the answer again with it.
public final class AlipayGatewayClient: GatewayCalling {
    let keyring: AlipayKeyring
    let transport: any GatewayPosting
    let logger: Logger
    let secondsSince1970: @Sendable () -> Int64
    /// One certificate fetch at a time: callers that meet the same new
    /// certificate wait for the first fetch and find it held.
    private let fetching = NSLock()

    public init(keyring: AlipayKeyring, transport: any GatewayPosting, logger: Logger = Logger(label: "alipay-gateway"),
                secondsSince1970: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.keyring = keyring
        self.transport = transport
        self.logger = logger
        self.secondsSince1970 = secondsSince1970
    }

    /// A client over a fixed key set (public-key mode): tests and tools.
    public convenience init(app: MerchantApp, alipayKeys: [RSAPublicKey], transport: any GatewayPosting) {
        self.init(keyring: AlipayKeyring(AlipayKeySet(alipayKeys: alipayKeys, app: app)), transport: transport)
    }

    /// The gateway's address, for messages.
    public var gatewayURL: String { transport.gatewayURL }

    /// The transport's whole-call limit and a margin.
    public var callSeconds: Double { transport.totalTimeout.inSeconds + 5 }

    /// Makes one call and says what it established.
    public func call(_ request: GatewayRequest, outTradeNo: String) -> GatewayAnswer {
        let requestedAt = Timestamp.now()
        let callID = Self.callID(request.method, outTradeNo: outTradeNo)
        let (body, outcome) = send(request)
        return GatewayAnswer(callID: callID, method: request.method, outTradeNo: outTradeNo, requestedAt: requestedAt,
                             answeredAt: Timestamp.now(), outcome: outcome, body: body,
                             statedAt: GatewayTimestamp(secondsSince1970: secondsSince1970()))
    }

    /// Signs, posts and reads one request (fetching a new certificate when
    /// the answer names one).
    private func send(_ request: GatewayRequest) -> (body: [UInt8], outcome: GatewayOutcome) {
        let keys = keyring.current
        guard let app = keys.app else {
            return ([], .unknown(.transport("no app-private-key is configured: the request cannot be signed")))
        }
        let signed: [UInt8]
        do {
            signed = try request.signedBody(app: app, timestamp: GatewayTimestamp(secondsSince1970: secondsSince1970()))
        } catch {
            return ([], .unknown(.transport("the request could not be signed with app-private-key: \(error)")))
        }
        let response: GatewayResponse
        switch transport.post(form: signed) {
        case .answered(let answered): response = answered
        case .unknown(let error): return ([], .unknown(.transport("\(error)")))
        }
        var outcome = GatewayOutcome.classify(httpStatus: response.status, body: response.body, method: request.method, keys: keys.answerKeys)
        if case .unknown(.unknownCertificate(let sn)) = outcome, request.method != .certificateDownload {
            switch fetchCertificate(sn) {
            case .success:
                outcome = GatewayOutcome.classify(httpStatus: response.status, body: response.body, method: request.method,
                                                  keys: keyring.current.answerKeys)
            case .failure(let refusal):
                outcome = .unknown(.untrustedCertificate(sn: sn, reason: refusal.reason))
            }
        }
        return (response.body, outcome.answering(request))
    }

    struct CertificateRefusal: Error {
        let reason: String
    }

    /// Fetches the Alipay certificate `sn` and keeps it if it is believed.
    private func fetchCertificate(_ sn: String) -> Result<Void, CertificateRefusal> {
        fetching.lock()
        defer { fetching.unlock() }
        let keys = keyring.current
        if keys.fetched[sn] != nil || keys.certificates[sn] != nil { return .success(()) }
        guard let rootChain = keys.rootChain, let app = keys.app else {
            return .failure(CertificateRefusal(reason: "no alipay-root-cert to check it with"))
        }
        let result = downloadAndCheck(sn, rootChain: rootChain, app: app, held: keys)
        switch result {
        case .success(let trusted):
            keyring.addFetched(sn: trusted.sn, key: trusted.key)
            logger.notice("Alipay signs with a new certificate \(sn): fetched with alipay.open.app.alipaycert.download, it chains to alipay-root-cert and is within its validity; kept beside the old one",
                          metadata: ["alipay_cert_sn": "\(sn)"])
            return .success(())
        case .failure(let refusal):
            logger.error("an answer is signed with Alipay certificate \(sn), which is not believed, so the answer decides nothing: \(refusal.reason)",
                         metadata: ["alipay_cert_sn": "\(sn)"])
            return .failure(refusal)
        }
    }

    private func downloadAndCheck(_ sn: String, rootChain: [UInt8], app: MerchantApp,
                                  held: AlipayKeySet) -> Result<CertificateTrust.Trusted, CertificateRefusal> {
        let request = GatewayRequest.certificateDownload(alipayCertSN: sn)
        let signed: [UInt8]
        do {
            signed = try request.signedBody(app: app, timestamp: GatewayTimestamp(secondsSince1970: secondsSince1970()))
        } catch {
            return .failure(CertificateRefusal(reason: "the download could not be signed: \(error)"))
        }
        guard case .answered(let response) = transport.post(form: signed), response.status == 200 else {
            return .failure(CertificateRefusal(reason: "alipay.open.app.alipaycert.download got no answer; asked again at the next call"))
        }
        guard let pem = GatewayOutcome.claimedCertificate(in: response.body) else {
            let outcome = GatewayOutcome.classify(httpStatus: 200, body: response.body, method: .certificateDownload, keys: held.answerKeys)
            return .failure(CertificateRefusal(reason: "alipay.open.app.alipaycert.download answered no certificate (\(outcome))"))
        }
        let trusted: CertificateTrust.Trusted
        do {
            trusted = try CertificateTrust.check(pem, rootChain: rootChain)
        } catch {
            return .failure(CertificateRefusal(reason: "the certificate alipay.open.app.alipaycert.download delivered \(error)"))
        }
        guard trusted.sn == sn else {
            return .failure(CertificateRefusal(reason: "alipay.open.app.alipaycert.download delivered certificate \(trusted.sn), not \(sn)"))
        }
        // The download's own answer must verify too: with a certificate held, or the one it delivered.
        var withIt = held.heldCertificates
        withIt[sn] = trusted.key
        let verified = GatewayOutcome.classify(httpStatus: 200, body: response.body, method: .certificateDownload, keys: .certificates(withIt))
        guard case .success = verified else {
            return .failure(CertificateRefusal(reason: "the download's answer does not verify (\(verified))"))
        }
        return .success(trusted)
    }

    /// An id no other call (of any daemon) has: the method, the order, the
    /// time and randomness. It is also the observation id of its answer.
    static func callID(_ method: GatewayMethod, outTradeNo: String) -> String {
        let verb = method.rawValue.split(separator: ".").last.map(String.init) ?? method.rawValue
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return "gw-\(verb)-\(outTradeNo)-\(Int64(Date().timeIntervalSince1970 * 1000))-\(random)"
    }
}
