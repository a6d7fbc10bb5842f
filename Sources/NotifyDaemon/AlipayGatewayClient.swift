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
    let transport: GatewayTransport
    let secondsSince1970: @Sendable () -> Int64

    init(app: MerchantApp, alipayKeys: [RSAPublicKey], transport: GatewayTransport,
         secondsSince1970: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.app = app
        self.alipayKeys = alipayKeys
        self.transport = transport
        self.secondsSince1970 = secondsSince1970
    }

    /// The gateway's address, for messages.
    public var gatewayURL: String { transport.configuration.gatewayURL }

    /// The transport's whole-call limit and a margin.
    public var callSeconds: Double { transport.configuration.totalTimeout.inSeconds + 5 }

    /// The client a configuration describes: the app key (required), the
    /// certificates in certificate mode, Alipay's keys, and the transport.
    /// Every problem names its setting and the fix.
    public static func load(_ configuration: DaemonConfiguration) throws(ConfigurationError) -> AlipayGatewayClient {
        let settings = configuration.gateway
        func problem(_ key: String, _ text: String) -> ConfigurationError {
            ConfigurationError(source: configuration.sources[key], key: key, problem: text)
        }
        guard let keyPath = settings.appPrivateKeyPath else {
            throw problem("app-private-key", "calling Alipay needs your app's private key: set app-private-key = FILE (PKCS#8 PEM, PKCS#1 PEM or the bare base64 Alipay's key tool writes)")
        }
        guard let appID = configuration.appIDs.first else { throw problem("app-id", "calling Alipay needs app-id") }
        let privateKey: RSAPrivateKey
        do {
            privateKey = try RSAPrivateKey(bytes: FileReading.bytes(atPath: keyPath))
        } catch {
            throw problem("app-private-key", "'\(keyPath)': \(error)")
        }
        var appCertSN: String?, rootCertSN: String?
        switch (settings.appCertPath, settings.alipayRootCertPath) {
        case (nil, nil):
            break
        case (let appCert?, let rootCert?):
            do {
                appCertSN = try CertificateSN.of(certificate: FileReading.bytes(atPath: appCert))
            } catch {
                throw problem("app-cert", "'\(appCert)': \(error)")
            }
            do {
                rootCertSN = try CertificateSN.ofRootChain(FileReading.bytes(atPath: rootCert))
            } catch {
                throw problem("alipay-root-cert", "'\(rootCert)': \(error)")
            }
        case (nil, _):
            throw problem("alipay-root-cert", "certificate mode needs app-cert too (your app's public-key certificate from the Alipay console)")
        case (_, nil):
            throw problem("app-cert", "certificate mode needs alipay-root-cert too (alipayRootCert.crt from the Alipay console)")
        }
        let keys = try AlipayKeys.load(configuration)
        let transport: GatewayTransport
        do {
            transport = try GatewayTransport(configuration: GatewayTransportConfiguration(
                gatewayURL: settings.url, caFile: settings.caFile,
                connectTimeout: min(.seconds(5), settings.timeout), totalTimeout: settings.timeout,
                keptConnections: settings.concurrency))
        } catch {
            throw problem(error.setting == "caFile" ? "gateway-ca-file" : "alipay-gateway", "\(error)")
        }
        return AlipayGatewayClient(app: MerchantApp(appID: appID, privateKey: privateKey, appCertSN: appCertSN, alipayRootCertSN: rootCertSN),
                                   alipayKeys: keys, transport: transport)
    }

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
