extension DaemonConfiguration {
    /// Every declared setting with its value in force and where it was
    /// given (a file's line, the command line, or the default), one line
    /// per value: what `check-config` prints.
    public var settingsInForce: [String] {
        Setting.all.flatMap { setting -> [String] in
            let values = setting.values(in: self)
            guard let source = sources[setting.name] else {
                return values.isEmpty ? ["\(setting.name): not set (default)"] : values.map { "\(setting.name) = \($0)  (default)" }
            }
            let origin = setting.isList && values.count > 1 ? "last given at \(source)" : "\(source)"
            return values.map { "\(setting.name) = \($0)  (\(origin))" }
        }
    }
}
