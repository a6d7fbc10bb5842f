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

    /// A reader of the code or a metric's HELP has only this repository: a
    /// rule is stated, not cited from a document it does not contain.
    @Test func noSourceCitesADocumentOutsideTheRepository() throws {
        let root = Fixtures.packageRoot
        let citation = /(?i)\bseeds?[ _-]?0\d\d\b|shared\/seeds|OPENAPI\.md|DESIGN\.md/
        var citing: [String] = []
        for folder in ["Sources", "Config", "README.md", "BENCHMARKS.md"] {
            let url = root.appendingPathComponent(folder)
            let files: [URL]
            if folder.hasSuffix(".md") {
                files = [url]
            } else {
                files = (FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
                    .filter { ["swift", "conf", "md", "h", "modulemap"].contains($0.pathExtension) }
            }
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.contains(citation) {
                    citing.append("\(file.path.dropFirst(root.path.count + 1)):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(citing.isEmpty, "cites a document outside the repository:\n\(citing.joined(separator: "\n"))")
    }
}
