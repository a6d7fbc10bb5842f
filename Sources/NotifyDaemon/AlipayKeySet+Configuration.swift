import ActiveSide
import AlipayCrypto
import AlipayOpenAPI
import DaemonSettings

extension AlipayKeySet {
    /// The key set a configuration names, every file read and parsed now:
    /// `alipay-public-key` (required), and when `app-private-key` is set the
    /// app (with `app-cert` and `alipay-root-cert` in certificate mode).
    /// Every problem names its setting, the file and the fix; a reload that
    /// fails here leaves the set in force as it was.
    package static func load(_ configuration: DaemonConfiguration) throws(ConfigurationError) -> AlipayKeySet {
        let keys = try AlipayKeys.load(configuration)
        var certificates: [String: RSAPublicKey] = [:]
        for (path, key) in zip(configuration.alipayPublicKeyPaths, keys) {
            // A configured certificate is known by its SN (certificate mode names it in answers).
            if let bytes = try? FileReading.bytes(atPath: path), let sn = try? CertificateSN.of(certificate: bytes) {
                certificates[sn] = key
            }
        }
        let settings = configuration.gateway
        func problem(_ key: String, _ text: String) -> ConfigurationError {
            ConfigurationError(source: configuration.sources[key], key: key, problem: text)
        }
        guard let keyPath = settings.appPrivateKeyPath else {
            return AlipayKeySet(alipayKeys: keys, app: nil)
        }
        guard let appID = configuration.appIDs.first else { throw problem("app-id", "calling Alipay needs app-id") }
        let privateKey: RSAPrivateKey
        do {
            privateKey = try RSAPrivateKey(bytes: FileReading.bytes(atPath: keyPath))
        } catch {
            throw problem("app-private-key", "'\(keyPath)': \(error)")
        }
        switch (settings.appCertPath, settings.alipayRootCertPath) {
        case (nil, nil):
            return AlipayKeySet(alipayKeys: keys, app: MerchantApp(appID: appID, privateKey: privateKey))
        case (let appCert?, let rootCert?):
            let appCertSN: String, rootCertSN: String, rootChain: [UInt8]
            do {
                appCertSN = try CertificateSN.of(certificate: FileReading.bytes(atPath: appCert))
            } catch {
                throw problem("app-cert", "'\(appCert)': \(error)")
            }
            do {
                rootChain = try FileReading.bytes(atPath: rootCert)
                rootCertSN = try CertificateSN.ofRootChain(rootChain)
            } catch {
                throw problem("alipay-root-cert", "'\(rootCert)': \(error)")
            }
            return AlipayKeySet(alipayKeys: keys,
                                app: MerchantApp(appID: appID, privateKey: privateKey, appCertSN: appCertSN, alipayRootCertSN: rootCertSN),
                                certificates: certificates, rootChain: rootChain)
        case (nil, _):
            throw problem("alipay-root-cert", "certificate mode needs app-cert too (your app's public-key certificate from the Alipay console)")
        case (_, nil):
            throw problem("app-cert", "certificate mode needs alipay-root-cert too (alipayRootCert.crt from the Alipay console)")
        }
    }
}
