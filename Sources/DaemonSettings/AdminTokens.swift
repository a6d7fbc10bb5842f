/// The bearer tokens of `admin-token-file`: one per line, blank lines and
/// `#` comments skipped, each at least 16 visible ASCII characters (a token
/// short enough to guess protects nothing). Read at start and on SIGHUP, so
/// a token is rotated by adding the new line, moving the clients, and
/// removing the old one.
public enum AdminTokens {
    public static let minimumLength = 16

    /// The tokens of the configured file; nil when none is configured.
    public static func load(_ configuration: DaemonConfiguration) throws(ConfigurationError) -> [[UInt8]]? {
        guard let path = configuration.adminTokenFile else { return nil }
        let source = configuration.sources["admin-token-file"]
        let bytes: [UInt8]
        do {
            bytes = try FileReading.bytes(atPath: path)
        } catch {
            throw ConfigurationError(source: source, key: "admin-token-file", problem: "\(error)")
        }
        do {
            return try parse(bytes)
        } catch {
            throw ConfigurationError(source: source, key: "admin-token-file", problem: "'\(path)' \(error.problem)")
        }
    }

    /// Why a token file is refused, naming the line.
    public struct Problem: Error, Sendable {
        public let problem: String
    }

    /// The tokens in a file's bytes.
    public static func parse(_ bytes: [UInt8]) throws(Problem) -> [[UInt8]] {
        var tokens: [[UInt8]] = []
        for (index, rawLine) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var line = rawLine[...]
            while let last = line.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { line = line.dropLast() }
            while let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { line = line.dropFirst() }
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            guard line.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw Problem(problem: "line \(index + 1): a token is visible ASCII without spaces (e.g. from: openssl rand -hex 32)")
            }
            guard line.count >= minimumLength else {
                throw Problem(problem: "line \(index + 1): a token of \(line.count) characters is too short to protect anything; use at least \(minimumLength) (e.g. from: openssl rand -hex 32)")
            }
            tokens.append(Array(line))
        }
        guard !tokens.isEmpty else {
            throw Problem(problem: "holds no token: write one per line (e.g. from: openssl rand -hex 32)")
        }
        return tokens
    }
}
