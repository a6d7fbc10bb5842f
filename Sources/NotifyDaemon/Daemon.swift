import ActiveSide
import AdminAPI
import AlipayCrypto
import DaemonSettings
import Dispatch
import Foundation
import HTTPServer
import Ledger
import Logging
import Observability
import Outbox
import Synchronization
import SystemSupport
import Workers
#if canImport(Glibc)
import Glibc
#endif

/// The running daemon: keys, ledger writer, HTTP server and signal
/// handling, started in that order and stopped in the reverse one.
///
/// SIGTERM or SIGINT: stop accepting, answer the requests in flight once
/// their commits return, let the dispatcher finish its current attempt,
/// record what is queued, close the ledger, exit 0. A second signal exits at
/// once. SIGHUP reloads the configuration and the keys. Under systemd it
/// reports READY/STOPPING/WATCHDOG and adopts passed sockets.
public final class Daemon: Sendable {
    /// Exit status for a configuration the daemon cannot run with
    /// (sysexits' EX_CONFIG): `RestartPreventExitStatus=78` in the unit keeps
    /// systemd from restarting into the same error.
    public static let configurationErrorStatus: Int32 = 78

    private let configuration: DaemonConfiguration
    private let logger: Logger
    private let stopRequested = DispatchSemaphore(value: 0)

    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until a stop signal; returns the process exit status.
    public func run() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        DescriptorLimit.raise(toServe: configuration.http.maximumConnections, logger: logger)
        let notifier = SystemdNotifier.fromEnvironment()
        let watchdogInterval = SystemdNotifier.watchdogInterval()
        let keyring: AlipayKeyring
        let adminTokens: [[UInt8]]?
        do {
            keyring = AlipayKeyring(try AlipayKeySet.load(configuration))
            adminTokens = try AdminTokens.load(configuration)
        } catch {
            logger.critical("cannot start: \(error)")
            return Self.configurationErrorStatus
        }
        let keys = keyring.current.notificationKeys
        for (index, key) in keys.enumerated() {
            logger.info("Alipay public key \(index + 1) of \(keys.count): \(key)")
        }

        let store: any LedgerStore
        let additionalStores: [any LedgerStore]
        let reader: LedgerReader
        do {
            store = try configuration.ledger.openForDaemon()
            // More write connections for a PostgreSQL ledger (connected lazily, as the first).
            additionalStores = store.isShared
                ? try (1..<max(1, configuration.ledgerWriters)).map { _ in try configuration.ledger.openForDaemon() }
                : []
            reader = LedgerReader(store: try configuration.ledger.openReader())
        } catch {
            logger.critical("cannot open the ledger '\(configuration.ledger)': \(error)")
            return 1
        }
        let metrics = Metrics()
        let writer = LedgerWriter(
            store: store, additionalStores: additionalStores, logger: logger,
            onBatch: { [metrics] batch in
                metrics.commitBatchSize.observe(Double(batch.size))
                metrics.commitSeconds.observe(batch.commitSeconds)
            },
            onSync: { [metrics] seconds in metrics.fsyncSeconds.observe(seconds) },
            onDurabilityFailure: { [logger] _ in
                // After a failed fsync the kernel may have dropped the pages:
                // stop, and let the restart recover from what is on disk.
                logger.critical("stopping: a failed fsync leaves the ledger's durability unknown; restart to recover from disk")
                LineOutput.standardError.flush()
                exit(1)
            }
        )
        if configuration.acceptsUnknownOrders {
            logger.warning("accept-unknown-orders is on: notifications for unregistered orders are recorded without an amount check")
        }
        if configuration.allowsLegacyRSA {
            logger.warning("legacy-rsa is on: sign_type=RSA (SHA1withRSA) notifications are accepted")
        }

        let endpoint = NotificationEndpoint(settings: ConfigurationReload.endpointSettings(configuration, keys: keys),
                                            writer: writer, logger: logger, metrics: metrics)
        // One key set for notifications and the gateway: a reload or a fetched certificate reaches both.
        keyring.observe { [endpoint] keys in endpoint.replaceKeys(keys.notificationKeys) }
        let reload = ConfigurationReload(configuration: configuration, keyring: keyring, endpoint: endpoint, logger: logger, metrics: metrics)

        // A ledger on another machine may be away now or later: keep trying,
        // and tell systemd the service is ready once it was reached.
        let instance = "\(ProcessInfo.processInfo.hostName):\(configuration.listen)"
        let reachability = store.isShared
            ? LedgerReachability(writer: writer, logger: logger, instance: instance, ledger: "\(configuration.ledger)",
                                 onFirstReach: { notifier?.send("READY=1\nSTATUS=recording notifications") })
            : nil

        let dispatcher: OutboxDispatcher?
        do {
            dispatcher = try makeDispatcher(writer: writer, ledgerIsShared: store.isShared)
        } catch {
            logger.critical("cannot start: \(error)")
            writer.shutdown()
            return Self.configurationErrorStatus
        }

        let owner = ClaimOwner.daemon
        let asking: AskingAlipay?
        do {
            asking = try makeAskingAlipay(writer: writer, keyring: keyring, endpoint: endpoint, metrics: metrics, owner: owner, ledgerIsShared: store.isShared)
        } catch {
            logger.critical("cannot start: \(error)")
            writer.shutdown()
            return Self.configurationErrorStatus
        }
        let serials = PaymentSerials(writer: writer, step: asking?.reconciliation, policy: configuration.reconciliation, owner: owner,
                                     logger: logger)
        // One daemon owns an SQLite ledger: business orders its previous life was working on are free at once.
        if !store.isShared {
            do {
                try writer.performAndWait { store in try store.releaseBusinessOrderClaims(ownerPrefix: ClaimOwner.daemonPrefix) }
            } catch {
                logger.critical("cannot start: the ledger could not let go of its earlier claims: \(error)")
                writer.shutdown()
                return 1
            }
        }
        let refunds = OperatorRefunds(writer: writer, step: asking?.refunds, owner: owner, logger: logger)

        // Admin requests that call Alipay (a refund's first attempt, closing
        // earlier serials) wait here: at most 4 at once and 16 waiting.
        let adminWork = BoundedWorkPool(name: "admin-work", threads: 4, queueLimit: 16)

        let server: HTTPServer
        let socket: ListeningSocket
        var adminSocket: ListeningSocket?
        do {
            server = try HTTPServer(configuration: configuration.http, logger: logger)
            let activation = try SocketActivation.fromEnvironment()
            if let inherited = activation?.notify {
                socket = inherited
                logger.notice("socket activation: serving notifications on the socket systemd passed (\(inherited.localAddress))")
            } else {
                socket = try ListeningSocket(bindingTo: configuration.listen, backlog: configuration.http.backlog)
            }
            if let inherited = activation?.admin {
                adminSocket = inherited
            } else if let adminListen = configuration.adminListen {
                adminSocket = try ListeningSocket(bindingTo: adminListen)
            }
        } catch {
            logger.critical("cannot listen: \(error)")
            writer.shutdown()
            return 1
        }
        server.addListener(socket, handler: NotifyRouter(notifyPath: configuration.notifyPath, endpoint: endpoint))
        if let adminSocket, !adminSocket.localAddress.isLoopback, adminTokens == nil {
            logger.critical("cannot start: the admin socket systemd passed (\(adminSocket.localAddress)) is not on loopback, and no admin-token-file is set: set one, or bind the admin socket to 127.0.0.1")
            writer.shutdown()
            return Self.configurationErrorStatus
        }
        if let adminSocket {
            let access = AdminAccess(port: adminSocket.localAddress.port, loopback: adminSocket.localAddress.isLoopback, tokens: adminTokens)
            reload.attach(access)
            let service = ServiceRoutes(writer: writer, instance: instance, ledger: configuration.ledger,
                                        minimumFreeDiskBytes: configuration.minimumFreeDiskBytes,
                                        metrics: metrics, gauges: LedgerGauges(reader: reader) { [metrics, logger] error, report in
                                            metrics.ledgerReadErrors.add(1, ordering: .relaxed)
                                            if report {
                                                logger.error("cannot read the ledger's gauges for /metrics (alipay_notifyd_ledger_readable is 0 until it can): \(error)")
                                            }
                                        },
                                        server: server, dispatcher: dispatcher)
            server.addListener(adminSocket, handler: AdminRouter(writer: writer, reader: reader, logger: logger,
                                                                 policy: configuration.reconciliation,
                                                                 serials: serials, refunds: refunds, blockingWork: adminWork,
                                                                 extraRoutes: service.routes, access: access))
        }

        let signals = installSignalHandlers(reload: reload)
        server.start()
        dispatcher?.start()
        asking?.reconciler.start()
        asking?.refunder.start()
        if let adminSocket {
            logger.notice("admin listening on \(adminSocket.localAddress)", metadata: ["admin": "\(adminSocket.localAddress)"])
        }
        logger.notice("alipay-notifyd listening on \(socket.localAddress) path \(configuration.notifyPath), ledger \(configuration.ledger), \(configuration.http.eventLoopThreads) threads",
                      metadata: ["listen": "\(socket.localAddress)"])
        logger.notice(dispatcher.map { "outbox events go to \($0.sink.description)" }
                      ?? "outbox events stay in the ledger (sink none): claim them with 'alipay-notifyd events claim' or by SQL")
        if let reachability {
            notifier?.send("STATUS=listening on \(socket.localAddress); connecting to the ledger")
            reachability.start()
        } else {
            notifier?.send("READY=1\nSTATUS=listening on \(socket.localAddress), ledger \(configuration.ledger)")
        }
        let watchdog = notifier.flatMap { notifier in
            watchdogInterval.map { Watchdog(notifier: notifier, interval: $0, server: server, writer: writer) }
        }
        watchdog?.start()

        stopRequested.wait()
        notifier?.send("STOPPING=1\nSTATUS=stopping: finishing requests in flight")
        logger.notice("stopping: no new connections; finishing requests in flight (grace \(configuration.shutdownGracePeriod))")
        let graceful = server.shutdown(gracePeriod: configuration.shutdownGracePeriod)
        watchdog?.stop()
        adminWork.stop()
        asking?.reconciler.stop()
        asking?.refunder.stop()
        dispatcher?.stop()
        reachability?.stop()
        writer.shutdown()
        withExtendedLifetime(signals) {}
        logger.notice(graceful ? "stopped" : "stopped after the grace period; connections still open were closed")
        return 0
    }

    /// The outbox dispatcher for the configured sink, or nil for `sink = none`.
    private func makeDispatcher(writer: LedgerWriter, ledgerIsShared: Bool) throws -> OutboxDispatcher? {
        let settings = configuration.sink
        let sink: any EventSink
        switch settings.kind {
        case .none:
            return nil
        case .http:
            sink = try HTTPEventSink(url: settings.url ?? "", timeout: settings.timeout, caFile: settings.caFile,
                                    concurrency: settings.delivery.concurrency)
        case .exec:
            sink = try ExecEventSink(command: settings.command ?? "", timeout: settings.timeout)
        }
        var dispatch = settings.delivery
        dispatch.leaseSeconds = settings.timeout.inSeconds * 2 + 30
        // One daemon owns an SQLite ledger: what an earlier run of it had
        // claimed and not finished is free again at once. A shared ledger's
        // leases may be another daemon's: they run out by themselves.
        if !ledgerIsShared {
            try writer.performAndWait { store in try store.releaseLeases(ownerPrefix: ClaimOwner.daemonPrefix) }
        }
        let dispatcher = OutboxDispatcher(writer: writer, sink: sink, settings: dispatch,
                                          owner: ClaimOwner.daemon, logger: logger)
        writer.onEventsWritten { [weak dispatcher] in dispatcher?.wake() }
        return dispatcher
    }

    /// What the daemon runs when it may call Alipay: the reconciler (due
    /// orders) and the refunder (due refund requests), each on claiming
    /// workers, and the steps the admin listener uses too.
    private struct AskingAlipay {
        let reconciliation: ReconciliationStep
        let refunds: RefundStep
        let reconciler: ClaimingWorkers<OrderReconciliation>
        let refunder: ClaimingWorkers<RefundRequest>
    }

    /// The reconciler and the refunder, or nil (with a notice) when no
    /// app-private-key is set: the daemon then only listens.
    private func makeAskingAlipay(writer: LedgerWriter, keyring: AlipayKeyring, endpoint: NotificationEndpoint, metrics: Metrics, owner: String,
                                  ledgerIsShared: Bool) throws -> AskingAlipay? {
        guard configuration.gateway.appPrivateKeyPath != nil else {
            logger.notice("app-private-key is not set: the daemon only listens; it does not ask Alipay about orders that never hear back, close them at their expiry, nor send refunds")
            return nil
        }
        // One client and one pace for every call this daemon makes.
        guard let steps = try GatewaySteps.make(configuration, keyring: keyring, writer: writer, ledgerIsShared: ledgerIsShared,
                                                rules: { [endpoint] in endpoint.rules }, metrics: metrics, logger: logger) else { return nil }
        let (reconciliation, refunds) = (steps.reconciliation, steps.refunds)
        // One daemon owns an SQLite ledger: what its previous life had claimed is due again at once.
        if !ledgerIsShared {
            try writer.performAndWait { store in
                try store.releaseOrderClaims(ownerPrefix: ClaimOwner.daemonPrefix)
                try store.releaseRefundClaims(ownerPrefix: ClaimOwner.daemonPrefix)
            }
        }
        let policy = configuration.reconciliation
        logger.notice("asking \(reconciliation.gateway.gatewayURL) about orders with no payment \(policy.reconcileAfter) after registration, at most \(configuration.gateway.callsPerSecond) calls/s and \(configuration.gateway.concurrency) at once; unpaid orders are closed at their expiry (order-timeout \(policy.orderTimeout)); refunds are sent\(configuration.refundsDuplicatePayments ? ", duplicate payments included" : "")")
        let poll = min(1, max(0.1, policy.reconcileAfter.inSeconds / 2))
        let (orderLease, refundLease) = (reconciliation.leaseSeconds, refunds.leaseSeconds)
        let reconciler = ClaimingWorkers<OrderReconciliation>(
            name: "reconciler", concurrency: configuration.gateway.concurrency, pollInterval: poll, leaseSeconds: orderLease, logger: logger,
            claim: { limit, lease in
                try writer.performAndWait { store in try store.claimDueOrders(owner: owner, limit: limit, leaseSeconds: lease) }
            },
            renew: { orders, lease in
                let keys = orders.map(\.order.outTradeNo)
                _ = try writer.performAndWait { store in try store.renewOrderClaims(keys, owner: owner, leaseSeconds: lease) }
            },
            work: { order in _ = reconciliation.run(order, owner: owner) })
        let refunder = ClaimingWorkers<RefundRequest>(
            name: "refunder", concurrency: max(2, configuration.gateway.concurrency / 4), pollInterval: 0.5, leaseSeconds: refundLease, logger: logger,
            claim: { limit, lease in
                try writer.performAndWait { store in try store.claimDueRefunds(owner: owner, limit: limit, leaseSeconds: lease) }
            },
            renew: { requests, lease in
                _ = try writer.performAndWait { store in try store.renewRefundClaims(requests, owner: owner, leaseSeconds: lease) }
            },
            work: { request in _ = refunds.run(request, owner: owner) })
        return AskingAlipay(reconciliation: reconciliation, refunds: refunds, reconciler: reconciler, refunder: refunder)
    }

    /// Asks the daemon to stop, as SIGTERM does.
    public func requestStop() {
        stopRequested.signal()
    }

    /// SIGTERM and SIGINT stop (a second one exits at once); SIGHUP reloads.
    private func installSignalHandlers(reload: ConfigurationReload) -> [DispatchSourceSignal] {
        let received = SignalCount()
        var sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                if received.increment() == 1 {
                    logger.notice("received \(number == SIGTERM ? "SIGTERM" : "SIGINT")")
                    requestStop()
                } else {
                    logger.warning("second stop signal: exiting now")
                    LineOutput.standardError.flush()
                    _exit(1)
                }
            }
            source.resume()
            return source
        }
        signal(SIGHUP, SIG_IGN)
        // A serial queue: two quick SIGHUPs reload one after the other.
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "reload"))
        hangup.setEventHandler { [logger] in
            logger.notice("received SIGHUP: reloading the configuration and the Alipay public keys")
            reload.reload()
        }
        hangup.resume()
        sources.append(hangup)
        return sources
    }
}

/// Counts stop signals across signal sources.
private final class SignalCount: Sendable {
    private let count = Atomic<Int>(0)

    func increment() -> Int {
        count.add(1, ordering: .relaxed).newValue
    }
}
