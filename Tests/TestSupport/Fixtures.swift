import Foundation

/// The signed test notifications, scenarios and keys in `Tests/Fixtures`,
/// byte-identical copies of the shared fixtures.
public enum Fixtures {
    /// `Tests/Fixtures`, found from this source file so it works from any
    /// working directory and any build folder.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The package root (the folder holding `Package.swift`).
    public static let packageRoot: URL = directory.deletingLastPathComponent().deletingLastPathComponent()

    public static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relativePath)))
    }

    public static func path(_ relativePath: String) -> String {
        url(relativePath).path
    }

    /// One line of `notifications.jsonl`.
    public struct NotificationCase: Decodable, Sendable, CustomStringConvertible {
        public let name: String
        public let body: String
        public let charset: String
        public let expect: String
        public let reason: String
        public let canonical: String?
        public let key: String

        public var isValid: Bool { expect == "valid" }
        public var description: String { name }
    }

    /// One line of `scenarios.jsonl`.
    public struct Scenario: Decodable, Sendable, CustomStringConvertible {
        public struct Order: Decodable, Sendable {
            public let out_trade_no: String
            public let total_amount: String
        }
        public struct Step: Decodable, Sendable {
            public let body: String
            public let expect_reply: String
            public let note: String
        }
        public struct Expectation: Decodable, Sendable {
            public let shipments: [String: Int]
            public let refund_events: Int
            public let closed: [String]
        }
        public let name: String
        public let summary: String
        public let orders: [Order]
        public let steps: [Step]
        public let expect: Expectation
        public var description: String { name }

        enum CodingKeys: String, CodingKey {
            case name, summary = "description", orders, steps, expect
        }
    }

    /// `config.json`: the merchant settings the fixtures assume.
    public struct Config: Decodable, Sendable {
        public let app_id: String
        public let seller_id: String
        public let sign_type: String
    }

    public static let notifications: [NotificationCase] = loadLines("notifications.jsonl")
    public static let scenarios: [Scenario] = loadLines("scenarios.jsonl")
    public static let config: Config = {
        do {
            return try JSONDecoder().decode(Config.self, from: Data(contentsOf: url("config.json")))
        } catch {
            fatalError("cannot read Fixtures/config.json: \(error)")
        }
    }()

    public static let currentPublicKeyPEM = "keys/alipay_public_key.pem"
    public static let currentPublicKeyBase64 = "keys/alipay_public_key.txt"
    public static let currentPublicCertificate = "keys/alipay_public_cert.crt"
    public static let nextPublicKeyPEM = "keys/alipay_public_key_next.pem"
    public static let nextPublicKeyBase64 = "keys/alipay_public_key_next.txt"
    public static let currentPrivateKey = "keys/alipay_private_key.pem"
    public static let nextPrivateKey = "keys/alipay_private_key_next.pem"
    public static let unrelatedPrivateKey = "keys/unrelated_private_key.pem"

    static func loadLines<T: Decodable>(_ name: String) -> [T] {
        do {
            let text = try String(contentsOf: url(name), encoding: .utf8)
            return try text.split(separator: "\n").map { line in
                try JSONDecoder().decode(T.self, from: Data(line.utf8))
            }
        } catch {
            fatalError("cannot read Fixtures/\(name): \(error)")
        }
    }

    /// Decodes one parameter of a form body the plain way (for test set-up
    /// only; the code under test has its own decoder).
    public static func parameter(_ name: String, in body: String) -> String? {
        for piece in body.split(separator: "&") {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}
