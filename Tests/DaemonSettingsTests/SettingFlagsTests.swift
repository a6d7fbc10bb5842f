@testable import DaemonSettings
import TestSupport
import Testing

/// Every declared setting is a command-line flag, read by its declaration.
@Suite struct SettingFlagsTests {
    static func sample(_ setting: Setting) throws -> String {
        try #require(SettingSamples.value(form: setting.valueForm, notIn: setting.values(in: DaemonConfiguration())))
    }

    @Test(arguments: Setting.all.map(\.name))
    func everySettingIsAFlag(_ name: String) throws {
        let setting = try #require(Setting.named(name))
        if setting.isSwitch {
            #expect(try SettingFlags.entries(["--\(name)"]) == [ConfigEntry(key: name, value: "true", source: .commandLine)])
            #expect(try SettingFlags.entries(["--no-\(name)"]) == [ConfigEntry(key: name, value: "false", source: .commandLine)])
        } else {
            let sample = try Self.sample(setting)
            let entry = ConfigEntry(key: name, value: sample, source: .commandLine)
            #expect(try SettingFlags.entries(["--\(name)", sample]) == [entry])
            #expect(try SettingFlags.entries(["--\(name)=\(sample)"]) == [entry])
        }
    }

    @Test func aFlagGivenTwiceKeepsTheLastValueAndAListKeepsEvery() throws {
        let entries = try SettingFlags.entries(["--threads", "2", "--app-id", "A", "--threads=3", "--app-id", "B", "--legacy-rsa", "--no-legacy-rsa"])
        #expect(entries.map(\.key) == ["app-id", "threads", "app-id", "legacy-rsa"])
        #expect(entries.map(\.value) == ["A", "3", "B", "false"])
    }

    @Test(arguments: [
        (["--lisen", "1"], "unknown option '--lisen' (did you mean '--listen'?)"),
        (["--listen"], "--listen needs a value (HOST:PORT)"),
        (["--listen", "--db", "x"], "--listen needs a value (HOST:PORT)"),
        (["--legacy-rsa=true"], "--legacy-rsa takes no value; write --legacy-rsa or --no-legacy-rsa"),
        (["--no-listen"], "unknown option '--no-listen'"),
        (["8080"], "unexpected argument '8080'; settings are given as --name VALUE"),
    ])
    func refusesWhatIsNotASettingFlag(_ arguments: [String], expected: String) {
        let error = #expect(throws: SettingFlagError.self) { try SettingFlags.entries(arguments) }
        #expect(error?.description.hasPrefix(expected) == true, "\(error?.description ?? "")")
    }
}
