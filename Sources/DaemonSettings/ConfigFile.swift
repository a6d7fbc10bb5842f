/// The configuration file format: one `key = value` per line, `#` starts a
/// comment line, blank lines are ignored, keys are the long command-line
/// flags without `--`. A value may be put in double quotes to keep leading
/// or trailing spaces (`\"` and `\\` inside quotes). Keys that take several
/// values (`alipay-public-key`, `app-id`) are simply repeated.
public enum ConfigFile {
    public static func parse(_ bytes: [UInt8], path: String) throws(ConfigurationError) -> [ConfigEntry] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(source: .file(path: path, line: 1), key: nil, problem: "the file is not UTF-8 text")
        }
        var entries: [ConfigEntry] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift: split on both forms of line end.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let source = ConfigSource.file(path: path, line: lineNumber)
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("[") {
                throw ConfigurationError(source: source, key: nil, problem: "sections are not used in this file; write settings as 'key = value'")
            }
            // '=' and quotes are found among Unicode scalars, not characters:
            // a combining mark after them must not hide them.
            let scalars = trimmed.unicodeScalars
            guard let equals = scalars.firstIndex(of: "=") else {
                throw ConfigurationError(source: source, key: nil, problem: "expected 'key = value', got '\(trimmed.prefix(60))'")
            }
            let key = String(Substring(scalars[..<equals]).trimmingSpaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }), key.first?.isLetter == true else {
                throw ConfigurationError(source: source, key: nil, problem: "'\(key)' is not a setting name (settings are lowercase words joined by '-', like 'listen' or 'app-id')")
            }
            var value = String(Substring(scalars[scalars.index(after: equals)...]).trimmingSpaces)
            if value.unicodeScalars.first == "\"" {
                value = try unquote(value, source: source, key: key)
            }
            entries.append(ConfigEntry(key: key, value: value, source: source))
        }
        return entries
    }

    static func unquote(_ quoted: String, source: ConfigSource, key: String) throws(ConfigurationError) -> String {
        var result = String.UnicodeScalarView()
        var escaped = false
        var closed = false
        for character in quoted.unicodeScalars.dropFirst() {
            if closed {
                throw ConfigurationError(source: source, key: key, problem: "text after the closing quote; put the whole value in quotes")
            }
            if escaped {
                guard character == "\"" || character == "\\" else {
                    throw ConfigurationError(source: source, key: key, problem: "only \\\" and \\\\ are escapes inside quotes")
                }
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                closed = true
            } else {
                result.append(character)
            }
        }
        guard closed else { throw ConfigurationError(source: source, key: key, problem: "the value has no closing quote") }
        return String(result)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
