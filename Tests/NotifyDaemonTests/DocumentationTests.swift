import Foundation
@testable import NotifyDaemon
import Testing
import TestSupport

/// The configuration reference in README.md and the example configuration
/// name every setting the daemon knows, so the documents cannot drift.
@Suite struct DocumentationTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: Fixtures.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    @Test(arguments: ConfigKey.all.map(\.name))
    func everySettingIsDocumented(_ name: String) throws {
        #expect(try Self.text("README.md").contains("| `\(name)` |"), "README.md lacks \(name)")
        #expect(try Self.text("Config/alipay-notifyd.conf").contains("\(name) ="), "Config/alipay-notifyd.conf lacks \(name)")
    }
}
