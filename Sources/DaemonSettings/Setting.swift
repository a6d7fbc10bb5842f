/// One setting of the daemon, declared once (in `Setting.all`): its name
/// (the same in the config file and as a `--flag`), the form of its value,
/// one line on what it does, whether SIGHUP puts a new value in force, and
/// the field of `DaemonConfiguration` it sets, whose initial value is the
/// default. The config file's validation, the command-line flags, the help,
/// `check-config` and the README's table are all made from these.
public struct Setting: Sendable {
    public let name: String
    /// The form of the value (`HOST:PORT`, `DURATION`, `none|http|exec`).
    public let valueForm: String
    /// What it does, in one line.
    public let summary: String
    /// True when SIGHUP puts a new value in force; the others need a restart.
    public let reloads: Bool
    /// True when it may be given several times, each adding one value.
    public let isList: Bool
    /// True for true/false settings: `--name` and `--no-name` on the command line.
    public let isSwitch: Bool
    /// The default in words, where the initial value does not say it (`required`, `one per core`).
    private let defaultDescription: String?
    private let applyValue: @Sendable (inout DaemonConfiguration, ConfigValue) throws(ConfigurationError) -> Void
    private let currentValues: @Sendable (DaemonConfiguration) -> [String]

    private init<Value>(_ name: String, _ type: SettingType<Value>, isList: Bool, reloads: Bool, default defaultDescription: String?,
                        _ summary: String,
                        apply: @escaping @Sendable (inout DaemonConfiguration, Value) -> Void,
                        values: @escaping @Sendable (DaemonConfiguration) -> [Value]) {
        self.name = name
        valueForm = type.form
        self.summary = summary
        self.reloads = reloads
        self.isList = isList
        isSwitch = type.isSwitch
        self.defaultDescription = defaultDescription
        let parse = type.parse, render = type.render
        applyValue = { configuration, text throws(ConfigurationError) in apply(&configuration, try parse(text)) }
        currentValues = { configuration in values(configuration).map(render) }
    }

    /// A setting with one value, stored at `field`.
    static func value<Value>(_ name: String, _ type: SettingType<Value>, at field: WritableKeyPath<DaemonConfiguration, Value> & Sendable,
                             reloads: Bool = false, default defaultDescription: String? = nil, _ summary: String) -> Setting {
        Setting(name, type, isList: false, reloads: reloads, default: defaultDescription, summary,
                apply: { $0[keyPath: field] = $1 }, values: { [$0[keyPath: field]] })
    }

    /// A setting with one value that may be left unset (nil).
    static func optional<Value>(_ name: String, _ type: SettingType<Value>, at field: WritableKeyPath<DaemonConfiguration, Value?> & Sendable,
                                reloads: Bool = false, default defaultDescription: String? = nil, _ summary: String) -> Setting {
        Setting(name, type, isList: false, reloads: reloads, default: defaultDescription, summary,
                apply: { $0[keyPath: field] = $1 }, values: { $0[keyPath: field].map { [$0] } ?? [] })
    }

    /// A repeatable setting: each occurrence appends to the list at `field`.
    static func list<Value>(_ name: String, _ type: SettingType<Value>, at field: WritableKeyPath<DaemonConfiguration, [Value]> & Sendable,
                            reloads: Bool = false, default defaultDescription: String? = nil, _ summary: String) -> Setting {
        Setting(name, type, isList: true, reloads: reloads, default: defaultDescription, summary,
                apply: { $0[keyPath: field].append($1) }, values: { $0[keyPath: field] })
    }

    /// Reads `entry` as this setting's type and puts it in `configuration`.
    func apply(_ entry: ConfigEntry, to configuration: inout DaemonConfiguration) throws(ConfigurationError) {
        try applyValue(&configuration, ConfigValue(entry: entry))
    }

    /// The value in force, as it would be written in the file (one per
    /// item of a list; none when unset).
    public func values(in configuration: DaemonConfiguration) -> [String] {
        currentValues(configuration)
    }

    /// The default, as the help and the README show it.
    public var defaultValue: String {
        if let defaultDescription { return defaultDescription }
        let values = values(in: DaemonConfiguration())
        return values.isEmpty ? "none" : values.joined(separator: ", ")
    }

    /// True when `defaultValue` is a value as written in the file, not words about it.
    public var defaultIsLiteral: Bool {
        defaultDescription == nil && !values(in: DaemonConfiguration()).isEmpty
    }

    /// The declared setting called `name`, if any.
    public static func named(_ name: some StringProtocol) -> Setting? {
        all.first { $0.name == name }
    }
}
