import ArgumentParser

/// `notifyd-bench`: the tools `scripts/bench.sh` uses. Not installed with
/// the daemon; it exists so the benchmark is reproducible on any machine.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifyd-bench",
        abstract: "Benchmark tools for alipay-notifyd: a signed corpus, a ledger check after a load run, a ledger-only run.",
        subcommands: [CorpusCommand.self, CheckCommand.self, LedgerRunCommand.self, VerifyRunCommand.self]
    )
}
