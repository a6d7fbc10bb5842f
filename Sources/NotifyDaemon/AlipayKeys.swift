import AlipayCrypto
import DaemonSettings

/// Loads the configured Alipay public keys, once, at start-up (and on
/// reload). A key that cannot be read or parsed stops the daemon with the
/// file, the setting and the reason: verifying with a wrong key would
/// refuse every payment.
package enum AlipayKeys {
    static func load(_ configuration: DaemonConfiguration) throws(ConfigurationError) -> [RSAPublicKey] {
        let source = configuration.sources["alipay-public-key"]
        var keys: [RSAPublicKey] = []
        for path in configuration.alipayPublicKeyPaths {
            let bytes: [UInt8]
            do {
                bytes = try FileReading.bytes(atPath: path)
            } catch {
                throw ConfigurationError(source: source, key: "alipay-public-key", problem: "\(error)")
            }
            do {
                keys.append(try RSAPublicKey(bytes: bytes))
            } catch {
                throw ConfigurationError(source: source, key: "alipay-public-key", problem: "'\(path)': \(error)")
            }
        }
        return keys
    }
}
