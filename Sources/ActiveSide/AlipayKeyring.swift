import AlipayCrypto
import AlipayOpenAPI
import Locking

/// Every key the daemon speaks with Alipay by, loaded once from the
/// configuration: Alipay's keys (they verify notifications and answers),
/// the app's identity and private key (it signs requests), and in
/// certificate mode Alipay's certificates by SN with the root chain new
/// ones must chain to.
public struct AlipayKeySet: Sendable {
    /// `alipay-public-key`, as configured (keys or certificates).
    public var alipayKeys: [RSAPublicKey]
    /// The app that signs requests; nil without `app-private-key`.
    public var app: MerchantApp?
    /// Certificate mode: the configured Alipay certificates by SN.
    public var certificates: [String: RSAPublicKey]
    /// Certificate mode: `alipay-root-cert` (PEM); nil in public-key mode.
    public var rootChain: [UInt8]?
    /// Certificates fetched from Alipay after it rotated, each checked
    /// against `rootChain`; kept across reloads while the root stays.
    public var fetched: [String: RSAPublicKey] = [:]

    public init(alipayKeys: [RSAPublicKey], app: MerchantApp?, certificates: [String: RSAPublicKey] = [:], rootChain: [UInt8]? = nil) {
        self.alipayKeys = alipayKeys
        self.app = app
        self.certificates = certificates
        self.rootChain = rootChain
    }

    public var certificateMode: Bool { rootChain != nil }

    /// Certificate mode: every certificate held, configured or fetched.
    public var heldCertificates: [String: RSAPublicKey] {
        certificates.merging(fetched) { configured, _ in configured }
    }

    /// What an answer is verified with.
    public var answerKeys: AnswerKeys {
        certificateMode ? .certificates(heldCertificates) : .publicKeys(alipayKeys)
    }

    /// What a notification may be signed with: the configured keys, then
    /// the certificates fetched since (Alipay signs notifications with the
    /// certificate it signs answers with).
    public var notificationKeys: [RSAPublicKey] {
        alipayKeys + fetched.keys.sorted().compactMap { fetched[$0] }
    }
}

/// The key set in force, shared by the notify endpoint and the gateway
/// client, so that a reload (SIGHUP) or a fetched certificate reaches both
/// at once. Requests under way finish with the set they started with.
public final class AlipayKeyring: Sendable {
    private let state: Locked<AlipayKeySet>
    private let observers = Locked<[@Sendable (AlipayKeySet) -> Void]>([])

    public init(_ keys: AlipayKeySet) {
        state = Locked(keys)
    }

    public var current: AlipayKeySet { state.withLock { $0 } }

    /// `observer` hears of every change (after a reload or a fetch).
    public func observe(_ observer: @escaping @Sendable (AlipayKeySet) -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Puts a reloaded set in force. Fetched certificates stay while the
    /// root chain is the same; a new root drops them (they are fetched
    /// again, and checked against it).
    public func replace(_ fresh: AlipayKeySet) {
        let now = state.withLock { state -> AlipayKeySet in
            var next = fresh
            if fresh.rootChain != nil && fresh.rootChain == state.rootChain { next.fetched = state.fetched }
            state = next
            return next
        }
        notify(now)
    }

    /// Adds a certificate fetched from Alipay (already checked).
    public func addFetched(sn: String, key: RSAPublicKey) {
        let now = state.withLock { state -> AlipayKeySet in
            state.fetched[sn] = key
            return state
        }
        notify(now)
    }

    private func notify(_ keys: AlipayKeySet) {
        for observer in observers.withLock({ $0 }) { observer(keys) }
    }
}
