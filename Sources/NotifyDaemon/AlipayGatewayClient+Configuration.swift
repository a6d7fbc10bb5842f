import ActiveSide
import AlipayCrypto
import AlipayOpenAPI
import DaemonSettings
import GatewayTransport

extension AlipayGatewayClient {
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
}
