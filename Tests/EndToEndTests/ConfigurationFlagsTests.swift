import DaemonSettings
import Foundation
import NotifyDaemon
import TestSupport
import Testing

/// Every declared setting is a flag of each command that reads a
/// configuration (serve, check-config), listed in its help, as the real
/// binary parses them.
@Suite struct ConfigurationFlagsTests {
    /// Each setting set to a value other than its default, as flags; files
    /// and ledgers in `directory`.
    static func everySettingAsFlags(_ directory: TemporaryDirectory) throws -> (arguments: [String], values: [String: String]) {
        var arguments: [String] = []
        var values: [String: String] = [:]
        for setting in Setting.all {
            var value = try #require(SettingSamples.value(form: setting.valueForm, notIn: setting.values(in: DaemonConfiguration())),
                                     "no sample value for the form '\(setting.valueForm)': add two to SettingSamples")
            if setting.valueForm == "FILE" || setting.valueForm == "PATH|URL" { value = directory.file(value) }
            values[setting.name] = value
            if setting.isSwitch {
                arguments.append(value == "true" ? "--\(setting.name)" : "--no-\(setting.name)")
            } else {
                arguments += ["--\(setting.name)", value]
            }
        }
        return (arguments, values)
    }

    static func words(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    @Test(arguments: ["serve", "check-config"])
    func theHelpListsEverySettingWithItsDocAndDefault(_ command: String) throws {
        let help = try DaemonProcess.command([command, "--help"])
        #expect(help.status == 0)
        let text = Self.words(help.stdout)
        for setting in Setting.all {
            let entry = Self.words(SettingsReference.flag(setting) + " " + SettingsReference.help(setting))
            #expect(text.contains(entry), "\(command) --help lacks: \(entry)")
        }
    }

    @Test func checkConfigTakesEverySettingAsAFlag() throws {
        let directory = TemporaryDirectory("e2e-flags")
        let config = directory.file("minimal.conf")
        try "app-id = 1\nalipay-public-key = key.pem\n".write(toFile: config, atomically: true, encoding: .utf8)
        let (flags, values) = try Self.everySettingAsFlags(directory)
        let result = try DaemonProcess.command(["check-config", "--config", config, "--syntax-only"] + flags)
        #expect(result.status == 0, "\(result.stderr)")
        for setting in Setting.all {
            let line = "  \(setting.name) = \(values[setting.name] ?? "")  (command line)"
            #expect(result.stdout.contains(line + "\n"), "check-config did not take --\(setting.name): \(result.stdout)")
        }
    }

    @Test func serveTakesEverySettingAsAFlag() throws {
        let directory = TemporaryDirectory("e2e-flags")
        let (flags, values) = try Self.everySettingAsFlags(directory)
        // Every flag read and checked; it stops at the key file, which is not there.
        let result = try DaemonProcess.command(["serve"] + flags)
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("cannot start"), "\(result.stderr)")
        #expect(result.stderr.contains(try #require(values["alipay-public-key"])), "\(result.stderr)")
    }

    @Test func withoutASubcommandTheFlagsAreServes() throws {
        let result = try DaemonProcess.command(["--listen", "127.0.0.1:0", "--app-id", "1", "--no-legacy-rsa"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("no Alipay public key configured"), "\(result.stderr)")
    }

    @Test(arguments: ["serve", "check-config"])
    func aMisspelledFlagIsAnsweredWithTheDeclaredName(_ command: String) throws {
        let result = try DaemonProcess.command([command, "--config", "unread.conf", "--sink-timout", "5s"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown option '--sink-timout' (did you mean '--sink-timeout'?)"), "\(result.stderr)")
    }

    @Test func settingsPrintsTheReadmeTable() throws {
        let result = try DaemonProcess.command(["settings", "--markdown"])
        #expect(result.status == 0)
        #expect(result.stdout == SettingsReference.markdownTable + "\n")
    }
}
