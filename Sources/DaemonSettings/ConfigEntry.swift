/// One `key = value` setting and where it came from, so that an error can
/// point at the line (or the flag) to fix.
public struct ConfigEntry: Sendable, Equatable {
    public let key: String
    public let value: String
    public let source: ConfigSource

    public init(key: String, value: String, source: ConfigSource) {
        self.key = key
        self.value = value
        self.source = source
    }
}

/// Where a setting was given.
public enum ConfigSource: Sendable, Equatable, CustomStringConvertible {
    case file(path: String, line: Int)
    case commandLine

    public var description: String {
        switch self {
        case .file(let path, let line): return "\(path):\(line)"
        case .commandLine: return "command line"
        }
    }

    /// The directory relative paths are resolved against: the config
    /// file's own directory, or the working directory for flags.
    var baseDirectory: String? {
        guard case .file(let path, _) = self else { return nil }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// A configuration that cannot be used: the setting at fault, where it was
/// given, what is wrong, and (where there is one) what to write instead.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let source: ConfigSource?
    public let key: String?
    public let problem: String

    public init(source: ConfigSource?, key: String?, problem: String) {
        self.source = source
        self.key = key
        self.problem = problem
    }

    public var description: String {
        var text = ""
        if let source { text += "\(source): " }
        if let key {
            text += source == .commandLine ? "--\(key): " : "'\(key)': "
        }
        return text + problem
    }
}
