import AlipayCrypto
import AlipayNotify
import Dispatch
import HTTPServer
import Ledger
import Locking
import Logging
import Observability
import Synchronization

/// The notify URL: one raw body in, one answer out, with no back and forth.
///
/// bytes → form fields → canonical string → signature (on the event-loop
/// thread, so verification runs on every core) → a trade observation → the
/// ledger writer (business checks, state machine, one transaction) →
/// `success` only after the commit.
public final class NotificationEndpoint: Sendable {
    /// What a reload may change: keys and the merchant's rules.
    struct Settings: Sendable {
        let verifier: NotificationVerifier
        let rules: BusinessRules
    }

    private let settings: Locked<Settings>
    private let writer: LedgerWriter
    private let logger: Logger
    private let metrics: Metrics
    private let forgeryLog = RateLimitedLog(perSecond: 1)

    init(settings: Settings, writer: LedgerWriter, logger: Logger, metrics: Metrics) {
        self.settings = Locked(settings)
        self.writer = writer
        self.logger = logger
        self.metrics = metrics
    }

    /// Puts new keys and identity in force (SIGHUP): requests that started
    /// before finish with the old ones, every later one uses the new ones.
    /// The business checks in force (they follow a reload).
    var rules: BusinessRules { settings.withLock { $0.rules } }

    func replace(_ settings: Settings) {
        self.settings.withLock { $0 = settings }
    }

    /// Puts new Alipay keys in force (a certificate fetched from Alipay), the rest as it is.
    func replaceKeys(_ keys: [RSAPublicKey]) {
        settings.withLock { current in
            current = Settings(verifier: NotificationVerifier(keys: keys, allowsLegacyRSA: current.verifier.allowsLegacyRSA), rules: current.rules)
        }
    }

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        let started = DispatchTime.now().uptimeNanoseconds
        let current = settings.withLock { $0 }
        let body = request.body

        let verified: VerifiedBody
        switch current.verifier.verify(body: body) {
        case .success(let result):
            verified = result
        case .failure(let failure):
            metrics.badSignatures.add(1, ordering: .relaxed)
            if let suppressed = forgeryLog.admit() {
                var metadata: Logger.Metadata = ["reason": "\(failure.code)", "bytes": "\(body.count)"]
                if suppressed > 0 { metadata["suppressed_since_last"] = "\(suppressed)" }
                logger.warning("notification refused: \(failure)", metadata: metadata)
            }
            responder.respond(NotifyAnswer.badRequest(failure.code))
            metrics.requestSeconds.observe(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            return
        }

        let submission: LedgerSubmission
        let fields = verified.fields
        do {
            let notification = try Notification(fields: fields)
            submission = .observation(AcceptedObservation(observation: notification.observation, rawBody: body, rules: current.rules))
        } catch {
            submission = .quarantine(Self.quarantine(.malformed(error), fields, body))
        }

        // The completion runs here when the writer was idle (the commit was
        // made on this thread), else on the writer thread: answer and hand
        // the logging to the event loop, so the writer goes straight back to work.
        writer.submit(submission) { [logger, metrics] outcome in
            responder.respond(NotifyAnswer.forOutcome(outcome)) {
                let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
                metrics.countOutcome(outcome)
                metrics.requestSeconds.observe(milliseconds / 1000)
                Self.log(outcome, fields: fields, milliseconds: milliseconds, logger: logger)
            }
        }
    }

    /// A signed body whose fields do not make a notification: kept with what can be read of it.
    static func quarantine(_ reason: RejectionReason, _ fields: FormFields, _ body: [UInt8]) -> QuarantineEntry {
        QuarantineEntry(
            reason: reason, sourceID: fields.nonEmptyString("notify_id"), outTradeNo: fields.nonEmptyString("out_trade_no"),
            appID: fields.nonEmptyString("app_id"), totalAmount: fields.bytes("total_amount").flatMap { Fen(decimal: $0) }, rawBody: body
        )
    }

    /// One line per notification: outcome, out_trade_no, notify_id, status, latency.
    static func log(_ outcome: LedgerOutcome, fields: FormFields, milliseconds: Double, logger: Logger) {
        switch outcome {
        case .recorded, .duplicate: guard logger.logLevel <= .info else { return }
        case .rejected: guard logger.logLevel <= .warning else { return }
        case .unavailable: break
        }
        var metadata: Logger.Metadata = [
            "out_trade_no": "\(fields.nonEmptyString("out_trade_no") ?? "-")",
            "notify_id": "\(fields.nonEmptyString("notify_id") ?? "-")",
            "trade_status": "\(fields.nonEmptyString("trade_status") ?? "-")",
            "latency_ms": "\((milliseconds * 100).rounded() / 100)",
        ]
        switch outcome {
        case .recorded(let decision):
            metadata["decision"] = "\(decision.summary)"
            logger.info("notification recorded", metadata: metadata)
        case .duplicate:
            logger.info("notification already recorded (duplicate)", metadata: metadata)
        case .rejected(let reason):
            metadata["reason"] = "\(reason.code)"
            logger.warning("notification refused and quarantined: \(reason)", metadata: metadata)
        case .unavailable(let error):
            logger.error("notification not recorded, answered 503: \(error)", metadata: metadata)
        }
    }
}
