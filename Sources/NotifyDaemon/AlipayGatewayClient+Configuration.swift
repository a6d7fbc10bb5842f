import ActiveSide
import AlipayCrypto
import AlipayOpenAPI
import DaemonSettings
import GatewayTransport
import Logging

extension AlipayGatewayClient {
    /// The client a configuration describes, over `keyring` (the daemon's,
    /// shared with the notify endpoint) or, for a command, a key set of its
    /// own: the app key is required. Every problem names its setting and the fix.
    public static func load(_ configuration: DaemonConfiguration, keyring: AlipayKeyring? = nil,
                            logger: Logger = Logger(label: "alipay-notifyd")) throws(ConfigurationError) -> AlipayGatewayClient {
        let settings = configuration.gateway
        func problem(_ key: String, _ text: String) -> ConfigurationError {
            ConfigurationError(source: configuration.sources[key], key: key, problem: text)
        }
        guard settings.appPrivateKeyPath != nil else {
            throw problem("app-private-key", "calling Alipay needs your app's private key: set app-private-key = FILE (PKCS#8 PEM, PKCS#1 PEM or the bare base64 Alipay's key tool writes)")
        }
        let keys: AlipayKeyring
        if let keyring { keys = keyring } else { keys = AlipayKeyring(try AlipayKeySet.load(configuration)) }
        let transport: GatewayTransport
        do {
            transport = try GatewayTransport(configuration: GatewayTransportConfiguration(
                gatewayURL: settings.url, caFile: settings.caFile,
                connectTimeout: min(.seconds(5), settings.timeout), totalTimeout: settings.timeout,
                keptConnections: settings.concurrency))
        } catch {
            throw problem(error.setting == "caFile" ? "gateway-ca-file" : "alipay-gateway", "\(error)")
        }
        return AlipayGatewayClient(keyring: keys, transport: transport, logger: logger)
    }
}
