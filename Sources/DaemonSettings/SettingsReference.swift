/// The settings as a person reads them, made from `Setting.all` so that no
/// list of settings is ever written by hand: the flags in a command's help,
/// and the table in the README.
public enum SettingsReference {
    /// How a setting is written on the command line: `--listen <HOST:PORT>`,
    /// `--legacy-rsa/--no-legacy-rsa`.
    public static func flag(_ setting: Setting) -> String {
        setting.isSwitch ? "--\(setting.name)/--no-\(setting.name)" : "--\(setting.name) <\(setting.valueForm)>"
    }

    /// What the help says about a setting: what it does, its default, and
    /// whether SIGHUP reloads it.
    public static func help(_ setting: Setting) -> String {
        let required = !setting.defaultIsLiteral && setting.defaultValue == "required"
        var text = setting.summary + (required ? " (required" : " (default: \(setting.defaultValue)")
        if setting.reloads { text += "; reloaded on SIGHUP" }
        return text + ")"
    }

    /// Every setting flag with its help, laid out like the options of
    /// `--help` (labels in two columns, text wrapped to `width`).
    public static func flagList(width: Int = 80) -> String {
        let indent = 26
        var lines: [String] = []
        for setting in Setting.all {
            var line = "  " + flag(setting)
            if line.count + 2 > indent {
                lines.append(line)
                line = ""
            }
            line += String(repeating: " ", count: indent - line.count)
            var lineHasWords = false
            for word in help(setting).split(separator: " ") {
                if lineHasWords && line.count + 1 + word.count > width {
                    lines.append(line)
                    line = String(repeating: " ", count: indent)
                    lineHasWords = false
                }
                line += (lineHasWords ? " " : "") + word
                lineHasWords = true
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The README's table of settings, in Markdown.
    public static var markdownTable: String {
        func cell(_ text: String) -> String { text.replacingAll("|", with: "\\|") }
        var rows = ["| setting | value | default | on SIGHUP | what it does |", "|---|---|---|---|---|"]
        for setting in Setting.all {
            let value = cell(setting.valueForm) + (setting.isList ? ", repeatable" : "")
            let defaultValue = setting.defaultIsLiteral ? "`\(setting.defaultValue)`" : cell(setting.defaultValue)
            rows.append("| `\(setting.name)` | \(value) | \(defaultValue) | \(setting.reloads ? "reloaded" : "restart") | \(cell(setting.summary)) |")
        }
        return rows.joined(separator: "\n")
    }
}

extension String {
    /// Every occurrence of `target` replaced (without Foundation).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
