/// The settings given as command-line flags, read through the same
/// declarations as the config file: `--name VALUE` or `--name=VALUE`, and
/// for a true/false setting `--name` or `--no-name`. A setting that takes
/// one value keeps the last one given, as flags always have; a repeatable
/// one keeps them all, in order.
public enum SettingFlags {
    public static func entries(_ arguments: [String]) throws(SettingFlagError) -> [ConfigEntry] {
        var entries: [ConfigEntry] = []
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw SettingFlagError("unexpected argument '\(argument)'; settings are given as --name VALUE")
            }
            let flag = argument.dropFirst(2)
            let name = flag.prefix { $0 != "=" }
            let attached = name.endIndex < flag.endIndex ? String(flag[flag.index(after: name.endIndex)...]) : nil
            let setting: Setting
            let value: String
            if let named = Setting.named(name) {
                setting = named
                if setting.isSwitch {
                    guard attached == nil else {
                        throw SettingFlagError("--\(name) takes no value; write --\(name) or --no-\(name)")
                    }
                    value = "true"
                } else if let attached {
                    value = attached
                } else if let next = remaining.first, !(next.hasPrefix("-") && next.count > 1) {
                    value = next
                    remaining.removeFirst()
                } else {
                    throw SettingFlagError("--\(name) needs a value (\(setting.valueForm))")
                }
            } else if name.hasPrefix("no-"), let named = Setting.named(name.dropFirst(3)), named.isSwitch, attached == nil {
                setting = named
                value = "false"
            } else {
                let hint = Setting.suggestion(for: name).map { " (did you mean '--\($0)'?)" } ?? ""
                throw SettingFlagError("unknown option '--\(name)'\(hint)")
            }
            if !setting.isList {
                entries.removeAll { $0.key == setting.name }
            }
            entries.append(ConfigEntry(key: setting.name, value: value, source: .commandLine))
        }
        return entries
    }
}
