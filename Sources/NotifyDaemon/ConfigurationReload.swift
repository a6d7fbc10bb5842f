import AdminAPI
import AlipayCrypto
import DaemonSettings
import Ledger
import Locking
import Logging
import Observability
import Synchronization

/// SIGHUP: reads the configuration file and the key files again and puts
/// the new Alipay public keys, app ids, seller id and legacy-rsa in force
/// without a restart (a key rotation with no downtime). A configuration
/// that does not load, or a key that does not parse, is refused with the
/// reason in the log, and the one in force stays. Settings that only a
/// restart can change (listen, db, …) are named in the log when they differ.
package final class ConfigurationReload: Sendable {
    private let current: Locked<DaemonConfiguration>
    private let endpoint: NotificationEndpoint
    private let logger: Logger
    private let metrics: Metrics
    /// The admin listener's access rules, once it listens (its tokens follow a reload).
    private let admin = Locked<AdminAccess?>(nil)

    func attach(_ access: AdminAccess) {
        admin.withLock { $0 = access }
    }

    init(configuration: DaemonConfiguration, endpoint: NotificationEndpoint, logger: Logger, metrics: Metrics) {
        current = Locked(configuration)
        self.endpoint = endpoint
        self.logger = logger
        self.metrics = metrics
    }

    /// The endpoint settings a configuration and its keys give.
    static func endpointSettings(_ configuration: DaemonConfiguration, keys: [RSAPublicKey]) -> NotificationEndpoint.Settings {
        NotificationEndpoint.Settings(
            verifier: NotificationVerifier(keys: keys, allowsLegacyRSA: configuration.allowsLegacyRSA),
            rules: configuration.businessRules
        )
    }

    func reload() {
        let old = current.withLock { $0 }
        let fresh: DaemonConfiguration
        let keys: [RSAPublicKey]
        let tokens: [[UInt8]]?
        do {
            fresh = try DaemonConfiguration.load(configFile: old.configFilePath, commandLine: old.commandLineEntries)
            keys = try AlipayKeys.load(fresh)
            tokens = try AdminTokens.load(fresh)
        } catch {
            metrics.reloads.withLock { $0.failed += 1 }
            logger.error("reload refused, the configuration in force stays: \(error)")
            return
        }
        endpoint.replace(Self.endpointSettings(fresh, keys: keys))
        admin.withLock { $0 }?.replaceTokens(tokens)
        current.withLock { $0 = fresh }
        metrics.reloads.withLock { $0.succeeded += 1 }
        for (index, key) in keys.enumerated() {
            logger.info("Alipay public key \(index + 1) of \(keys.count): \(key)")
        }
        let needRestart = Self.restartOnlySettings(old, fresh)
        if !needRestart.isEmpty {
            logger.warning("changed settings that take effect only at a restart: \(needRestart.joined(separator: ", "))")
        }
        logger.notice("configuration reloaded from \(fresh.configFilePath ?? "the command line"): \(keys.count) Alipay public key(s), app id(s) \(fresh.appIDs.joined(separator: ","))")
    }

    /// Names of the settings that differ and that a reload cannot apply.
    static func restartOnlySettings(_ old: DaemonConfiguration, _ new: DaemonConfiguration) -> [String] {
        Setting.all.filter { !$0.reloads && $0.values(in: old) != $0.values(in: new) }.map(\.name)
    }
}
