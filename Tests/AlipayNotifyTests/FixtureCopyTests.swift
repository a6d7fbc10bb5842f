import Foundation
import Testing
import TestSupport

/// The project's copy of the fixtures must stay byte-identical to the
/// shared originals whenever those are present next to the checkout.
@Suite struct FixtureCopyTests {
    static let shared = Fixtures.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: shared.path)),
          arguments: ["notifications.jsonl", "scenarios.jsonl", "config.json", "README.md", "keys/README.md",
                      "keys/alipay_private_key.pem", "keys/alipay_private_key_next.pem", "keys/alipay_public_cert.crt",
                      "keys/alipay_public_key.pem", "keys/alipay_public_key.txt", "keys/alipay_public_key_next.pem",
                      "keys/alipay_public_key_next.txt", "keys/unrelated_private_key.pem"])
    func copyIsByteIdentical(_ name: String) throws {
        let original = try Data(contentsOf: Self.shared.appendingPathComponent(name))
        let copy = try Data(contentsOf: Fixtures.url(name))
        #expect(original == copy, "Tests/Fixtures/\(name) differs from the shared fixtures")
    }

    @Test func theCopyIsComplete() throws {
        #expect(Fixtures.notifications.count == 48)
        #expect(Fixtures.scenarios.count == 13)
    }
}
