import Foundation

/// Real curl, the way an operator (and Alipay's retries) reach the daemon.
public enum Curl {
    public struct Reply: Sendable {
        public let status: Int
        public let body: String
        /// Seconds curl took from start to the last byte.
        public let seconds: Double
    }

    /// POSTs `body` to `url` with the form content type (unless
    /// `extraArguments` give another) and returns status and body.
    public static func post(_ url: String, body: String, extraArguments: [String] = [], timeout: Double = 20) throws -> Reply {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("curl-body-\(UUID().uuidString)")
        try Data(body.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let ownType = extraArguments.contains { $0.lowercased().hasPrefix("content-type:") }
        let form = ownType ? [] : ["-H", "Content-Type: application/x-www-form-urlencoded; charset=utf-8"]
        return try run(["-sS", "-X", "POST"] + form + ["--data-binary", "@\(file.path)"] + extraArguments + [url], timeout: timeout)
    }

    public static func get(_ url: String, extraArguments: [String] = []) throws -> Reply {
        try run(["-sS"] + extraArguments + [url], timeout: 20)
    }

    static func run(_ arguments: [String], timeout: Double) throws -> Reply {
        let marker = "\n@@curl-status:"
        let result = try ChildProcess.run("curl", arguments + ["-w", "\(marker)%{http_code} %{time_total}", "--max-time", "\(Int(timeout))"],
                                          timeout: timeout + 5)
        guard let range = result.stdout.range(of: marker, options: .backwards) else {
            throw TestError("curl printed no status (exit \(result.status)): \(result.stderr)")
        }
        let trailer = result.stdout[range.upperBound...].split(separator: " ")
        return Reply(status: Int(trailer[0]) ?? 0, body: String(result.stdout[..<range.lowerBound]),
                     seconds: Double(trailer.count > 1 ? trailer[1] : "0") ?? 0)
    }
}
