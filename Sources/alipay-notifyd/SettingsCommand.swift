import ArgumentParser
import DaemonSettings
import NotifyDaemon

/// `alipay-notifyd settings`: every setting the daemon knows, from the
/// declarations themselves (the README's table is this command's output).
struct SettingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "List every setting: its flag, value, default, and whether SIGHUP reloads it."
    )

    @Flag(help: "Print the README's Markdown table instead.")
    var markdown = false

    func run() {
        print(markdown ? SettingsReference.markdownTable : SettingsReference.flagList())
    }
}
