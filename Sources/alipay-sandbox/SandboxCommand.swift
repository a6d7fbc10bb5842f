import ArgumentParser

/// `alipay-sandbox`: Alipay on your own machine, for tests and integration
/// work: its gateway, a trade book, faults on demand, and notifications on
/// Alipay's retry schedule.
@main
struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alipay-sandbox",
        abstract: "A local Alipay: gateway answers, a trade book, faults, and notifications on Alipay's schedule.",
        discussion: """
            Start it with 'serve', then play the buyer with the other commands (they talk to the running \
            sandbox's control API, --sandbox, default http://127.0.0.1:8090):

              alipay-sandbox serve --alipay-private-key alipay_private.pem --app-public-key app_public.pem --app-id 2021000000000001
              alipay-sandbox create ORDER1 88.88
              alipay-sandbox pay ORDER1 88.88 --notify-url http://127.0.0.1:8080/notify --time-scale 60
              alipay-sandbox fault ORDER1 alipay.trade.query busy --times 2
              alipay-sandbox calls

            Point the daemon's alipay-gateway at http://127.0.0.1:8090/gateway.do and give it the app's \
            private key and the sandbox's Alipay public key.
            """,
        subcommands: [ServeCommand.self, CreateCommand.self, PayCommand.self, FinishCommand.self, CloseCommand.self,
                      ShowCommand.self, FaultCommand.self, CallsCommand.self]
    )
}
