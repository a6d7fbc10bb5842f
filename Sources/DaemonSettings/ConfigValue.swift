import HTTPServer
import Ledger
import Logging

/// The value of one setting, read as the type its key needs. Every error
/// names the setting, where it was given, what was found and what is expected.
package struct ConfigValue {
    let entry: ConfigEntry

    func error(_ problem: String) -> ConfigurationError {
        ConfigurationError(source: entry.source, key: entry.key, problem: problem)
    }

    private var text: String { entry.value }

    func nonEmpty() throws(ConfigurationError) -> String {
        guard !text.isEmpty else { throw error("has no value") }
        return text
    }

    func address() throws(ConfigurationError) -> SocketAddress {
        do {
            return try SocketAddress(parsing: nonEmpty())
        } catch let problem as AddressError {
            throw error(problem.problem)
        } catch let configurationError as ConfigurationError {
            throw configurationError
        } catch {
            throw self.error("\(error)")
        }
    }

    /// A path; relative paths in a config file are taken from the file's directory.
    func path() throws(ConfigurationError) -> String {
        let path = try nonEmpty()
        if path.hasPrefix("/") { return path }
        if let base = entry.source.baseDirectory { return base == "." ? path : "\(base)/\(path)" }
        return path
    }

    /// An SQLite file (relative to the config file's directory) or a
    /// PostgreSQL connection string (taken as it is).
    func ledgerLocation() throws(ConfigurationError) -> LedgerLocation {
        let text = try nonEmpty()
        return LedgerLocation.isConnectionString(text) ? .postgres(connectionString: text) : .sqlite(path: try path())
    }

    func identifier() throws(ConfigurationError) -> String {
        let value = try nonEmpty()
        guard value.utf8.count <= 64, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw error("'\(value.prefix(70))' is not an Alipay id (up to 64 visible ASCII characters, no spaces)")
        }
        return value
    }

    func urlPath() throws(ConfigurationError) -> String {
        let value = try nonEmpty()
        guard value.hasPrefix("/"), !value.contains("?"), !value.contains("#"),
              value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw error("'\(value)' is not a URL path; write it like /alipay/notify (starting with '/', no query)")
        }
        return value
    }

    func bool() throws(ConfigurationError) -> Bool {
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw error("'\(text)' is not true or false")
        }
    }

    func integer(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let number = Int(text), range.contains(number) else {
            throw error("'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// `30s`, `500ms`, `2m`, `1h`, or a bare number of seconds.
    func duration() throws(ConfigurationError) -> Duration {
        let units: [(suffix: String, milliseconds: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            if let value = Int64(number), value > 0, value <= 86_400_000 / unit.milliseconds {
                return .milliseconds(value * unit.milliseconds)
            }
        }
        if let seconds = Int64(text), seconds > 0, seconds <= 86_400 {
            return .seconds(seconds)
        }
        throw error("'\(text)' is not a duration; write it like 10s, 500ms, 2m or 1h (more than 0, at most a day)")
    }

    /// `256KiB`, `1MiB`, `65536` (bytes).
    func size(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let units: [(suffix: String, bytes: Int)] = [("KiB", 1024), ("MiB", 1 << 20), ("GiB", 1 << 30), ("K", 1024), ("M", 1 << 20),
                                                     ("G", 1 << 30), ("B", 1)]
        var bytes: Int?
        for unit in units where text.hasSuffix(unit.suffix) {
            if let value = Int(text.dropLast(unit.suffix.count)) {
                let (product, overflow) = value.multipliedReportingOverflow(by: unit.bytes)
                bytes = overflow ? Int.max : product
            }
            break
        }
        if bytes == nil { bytes = Int(text) }
        guard let bytes, range.contains(bytes) else {
            throw error("'\(text)' is not a size from \(range.lowerBound) bytes to \(range.upperBound >> 20)MiB; write it like 256KiB or 1MiB")
        }
        return bytes
    }

    func logLevel() throws(ConfigurationError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw error("'\(text)' is not a log level; use trace, debug, info, notice, warning, error or critical")
        }
        return level
    }
}
