import DaemonSettings

/// Any bytes given as a config file end in settings or in an error that
/// names a line of that file (never a crash, never a line that is not
/// there), the settings are then resolved and checked like the daemon does
/// at start-up, and a parsed value written back in quotes reads back the
/// same, so quoting loses nothing.
struct ConfigProperty: FuzzProperty {
    static let path = "fuzz.conf"

    func check(_ input: [UInt8]) throws(PropertyViolation) {
        let lineCount = input.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let entries: [ConfigEntry]
        do {
            entries = try ConfigFile.parse(input, path: Self.path)
        } catch {
            try checkNamesALine(error, lineCount: lineCount)
            return
        }
        for entry in entries {
            try checkNamesALine(entry.source, lineCount: lineCount)
        }

        var quoted: [UInt8] = []
        for entry in entries {
            quoted += Array("\(entry.key) = \"".utf8)
            for byte in entry.value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { quoted.append(UInt8(ascii: "\\")) }
                quoted.append(byte)
            }
            quoted += Array("\"\n".utf8)
        }
        let again: [ConfigEntry]
        do {
            again = try ConfigFile.parse(quoted, path: Self.path)
        } catch {
            throw PropertyViolation("values written back in quotes are refused: \(error)")
        }
        guard again.map(\.key) == entries.map(\.key), again.map(\.value) == entries.map(\.value) else {
            throw PropertyViolation("values written back in quotes read differently: \(entries.map(\.value)) became \(again.map(\.value))")
        }

        do {
            _ = try DaemonConfiguration.load(configFile: nil, commandLine: entries)
        } catch {
            if let source = error.source { try checkNamesALine(source, lineCount: lineCount) }
        }
    }

    func checkNamesALine(_ error: ConfigurationError, lineCount: Int) throws(PropertyViolation) {
        guard let source = error.source else {
            throw PropertyViolation("a parse error that names no line: \(error)")
        }
        try checkNamesALine(source, lineCount: lineCount)
    }

    func checkNamesALine(_ source: ConfigSource, lineCount: Int) throws(PropertyViolation) {
        guard case .file(let path, let line) = source, path == Self.path, (1...lineCount).contains(line) else {
            throw PropertyViolation("\(source) is not a line of a \(lineCount)-line file")
        }
    }
}
