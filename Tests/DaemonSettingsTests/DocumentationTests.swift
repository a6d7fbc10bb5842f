@testable import DaemonSettings
import Foundation
import TestSupport
import Testing

/// The README's settings table is the one the declarations make, and the
/// example configuration names every setting, so the documents cannot drift.
@Suite struct DocumentationTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: Fixtures.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The lines of the Markdown table whose header line starts with `header`.
    static func table(in text: String, header: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(header) }) else { return nil }
        return lines[start...].prefix { $0.hasPrefix("|") }.joined(separator: "\n")
    }

    @Test func theReadmeSettingsTableIsTheDeclaredOne() throws {
        let expected = SettingsReference.markdownTable
        let header = String(expected.prefix { $0 != "\n" })
        let table = Self.table(in: try Self.text("README.md"), header: header)
        #expect(table == expected, "README.md's settings table differs from Setting.all; it should read:\n\(expected)")
    }

    @Test(arguments: Setting.all.map(\.name))
    func everySettingIsInTheExampleConfiguration(_ name: String) throws {
        #expect(try Self.text("Config/alipay-notifyd.conf").contains("\(name) ="), "Config/alipay-notifyd.conf lacks \(name)")
    }
}
