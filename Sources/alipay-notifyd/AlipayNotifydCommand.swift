import ArgumentParser
import NotifyDaemon
import Observability

/// The `alipay-notifyd` command: the daemon (`serve`, the default) and the
/// tools a person reaches for around it.
@main
struct AlipayNotifydCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alipay-notifyd",
        abstract: "Receive Alipay payment notifications and hand every paid order to fulfillment exactly once.",
        discussion: """
            Alipay POSTs an asynchronous notification to your notify_url for every trade \
            state change and retries (about 8 times over 25 hours) until it reads 'success'. \
            alipay-notifyd verifies each one (RSA2 over the canonical string), checks it \
            against your registered order (app_id, seller_id, out_trade_no, amount), and \
            records it in a transactional ledger. It answers 'success' only after that record \
            is durably committed, and ships each paid order once, however often and in \
            whatever order the notifications come.

            Quick start:
              alipay-notifyd orders add --db ledger.db ORDER0001 88.88
              alipay-notifyd serve --db ledger.db --listen 0.0.0.0:8080 \\
                  --alipay-public-key alipay_public_key.pem --app-id 2021000123456789

            Without a subcommand, 'serve' runs. See 'alipay-notifyd help serve' for every \
            setting, and the example configuration in Config/.
            """,
        version: BuildVersion.current,
        subcommands: [ServeCommand.self, VerifyCommand.self, SignCommand.self, OrdersCommand.self, TradeCommand.self, EventsCommand.self, RefundCommand.self,
                      CheckConfigCommand.self, SettingsCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
