import Ledger
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes one line per event to standard error, in
/// a form `journalctl` shows well: under systemd (`JOURNAL_STREAM` set) each
/// line starts with a `<N>` syslog priority and no timestamp (the journal
/// adds its own); on a terminal it starts with a UTC timestamp. `key=value`
/// metadata follow the message. `json` writes one JSON object per line.
public struct LineLogHandler: LogHandler {
    public enum Format: String, Sendable {
        case text
        case json
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: Format
    private let journald: Bool
    private let output: LineOutput

    public init(label: String, level: Logger.Level, format: Format = .text, output: LineOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.journald = getenv("JOURNAL_STREAM") != nil
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line: String
        switch format {
        case .text:
            var text = journald ? "<\(Self.syslogPriority(event.level))>" : "\(Timestamp.now()) "
            text += "\(event.level.rawValue.padding(8)) \(event.message)"
            for key in merged.keys.sorted() {
                text += " \(key)=\(Self.quoted("\(merged[key]!)"))"
            }
            line = text + "\n"
        case .json:
            var fields = ["\"time\":\"\(Timestamp.now())\"", "\"level\":\"\(event.level.rawValue)\"",
                          "\"logger\":\(JSONText.string(label))", "\"message\":\(JSONText.string("\(event.message)"))"]
            for key in merged.keys.sorted() {
                fields.append("\(JSONText.string(key)):\(JSONText.string("\(merged[key]!)"))")
            }
            line = "{" + fields.joined(separator: ",") + "}\n"
        }
        output.write(line)
    }

    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// Values with spaces, quotes or `=` are quoted so a line splits unambiguously.
    static func quoted(_ value: String) -> String {
        if !value.isEmpty, !value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) { return value }
        return JSONText.string(value)
    }
}

/// Where log lines go. Each line is one write(2), so lines from different
/// threads never interleave.
public struct LineOutput: Sendable {
    let fd: Int32
    public static let standardError = LineOutput(fd: 2)

    func write(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return } // nowhere to log to; never block or crash for it
                offset += written
            }
        }
    }
}

/// JSON string literals, for log lines and small JSON documents.
public enum JSONText {
    public static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
