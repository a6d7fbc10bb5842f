@testable import DaemonSettings
import Testing

/// The help lists every setting with its flag, what it does and its default.
@Suite struct SettingsReferenceTests {
    static func words(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    @Test func theFlagListNamesEverySettingWithItsHelpAndDefault() {
        let list = Self.words(SettingsReference.flagList())
        for setting in Setting.all {
            let entry = Self.words(SettingsReference.flag(setting) + " " + SettingsReference.help(setting))
            #expect(list.contains(entry), "the flag list lacks: \(entry)")
            #expect(entry.contains(setting.summary) && entry.contains(setting.defaultValue))
        }
    }

    @Test func theFlagListFitsEightyColumns() {
        for line in SettingsReference.flagList().split(separator: "\n") {
            #expect(line.count <= 80, "\(line)")
        }
    }

    @Test func theMarkdownTableHasOneRowPerSetting() {
        let rows = SettingsReference.markdownTable.split(separator: "\n").dropFirst(2)
        #expect(rows.map { $0.split(separator: "`")[1] } == Setting.all.map { Substring($0.name) })
    }
}
