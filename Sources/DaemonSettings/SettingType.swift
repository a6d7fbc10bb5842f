import HTTPServer
import Ledger
import Logging

/// How a setting's text becomes a typed value, and how a value is written
/// back as text (for defaults in the help and the README, for `check-config`
/// and for the reload's comparison). Parsing goes through `ConfigValue`, so
/// every error names the setting, where it was given and what to write.
package struct SettingType<Value>: Sendable {
    /// The form of the value as the help shows it: `DURATION`, `HOST:PORT`.
    let form: String
    /// True for true/false settings, which are flags without a value
    /// (`--legacy-rsa`, `--no-legacy-rsa`) on the command line.
    let isSwitch: Bool
    let parse: @Sendable (ConfigValue) throws(ConfigurationError) -> Value
    let render: @Sendable (Value) -> String

    init(form: String, isSwitch: Bool = false,
         parse: @escaping @Sendable (ConfigValue) throws(ConfigurationError) -> Value,
         render: @escaping @Sendable (Value) -> String) {
        self.form = form
        self.isSwitch = isSwitch
        self.parse = parse
        self.render = render
    }
}

extension SettingType where Value == String {
    /// Any text but the empty one (a URL, a command).
    static func text(_ form: String) -> Self {
        Self(form: form, parse: { value throws(ConfigurationError) in try value.nonEmpty() }, render: { $0 })
    }

    /// A file; relative paths in a config file are taken from its directory.
    static var file: Self {
        Self(form: "FILE", parse: { value throws(ConfigurationError) in try value.path() }, render: { $0 })
    }

    /// An Alipay id (app_id, seller_id).
    static var identifier: Self {
        Self(form: "ID", parse: { value throws(ConfigurationError) in try value.identifier() }, render: { $0 })
    }

    /// The path of a URL, without query.
    static var urlPath: Self {
        Self(form: "PATH", parse: { value throws(ConfigurationError) in try value.urlPath() }, render: { $0 })
    }
}

extension SettingType where Value == Bool {
    static var bool: Self {
        Self(form: "true|false", isSwitch: true, parse: { value throws(ConfigurationError) in try value.bool() },
             render: { $0 ? "true" : "false" })
    }
}

extension SettingType where Value == Int {
    static func integer(in range: ClosedRange<Int>) -> Self {
        Self(form: "N", parse: { value throws(ConfigurationError) in try value.integer(in: range) }, render: { "\($0)" })
    }

    /// Bytes, written `256KiB`, `1MiB` or as a number.
    static func size(in range: ClosedRange<Int>) -> Self {
        Self(form: "SIZE", parse: { value throws(ConfigurationError) in try value.size(in: range) }, render: { bytes in
            for (suffix, unit) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes != 0 && bytes % unit == 0 {
                return "\(bytes / unit)\(suffix)"
            }
            return "\(bytes)"
        })
    }
}

extension SettingType where Value == Duration {
    /// Written `500ms`, `10s`, `2m`, `1h`.
    static var duration: Self {
        Self(form: "DURATION", parse: { value throws(ConfigurationError) in try value.duration() }, render: { duration in
            let (seconds, attoseconds) = duration.components
            let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
            for (suffix, unit) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000)] where milliseconds != 0 && milliseconds % unit == 0 {
                return "\(milliseconds / unit)\(suffix)"
            }
            return "\(milliseconds)ms"
        })
    }
}

extension SettingType where Value == SocketAddress {
    static var address: Self {
        Self(form: "HOST:PORT", parse: { value throws(ConfigurationError) in try value.address() }, render: \.description)
    }
}

extension SettingType where Value == SocketAddress? {
    /// An address, or `off`.
    static var addressOrOff: Self {
        Self(form: "HOST:PORT|off", parse: { value throws(ConfigurationError) in
            if value.entry.value == "off" { return nil }
            return try value.address()
        }, render: { $0?.description ?? "off" })
    }
}

extension SettingType where Value == LedgerLocation {
    /// An SQLite file or a PostgreSQL connection string (shown without its password).
    static var ledger: Self {
        Self(form: "PATH|URL", parse: { value throws(ConfigurationError) in try value.ledgerLocation() }, render: \.description)
    }
}

extension SettingType where Value == Logger.Level {
    static var logLevel: Self {
        Self(form: "LEVEL", parse: { value throws(ConfigurationError) in try value.logLevel() }, render: \.rawValue)
    }
}

extension SettingType where Value: RawRepresentable & CaseIterable & Sendable, Value.RawValue == String {
    /// One of the cases of `Value`, written as its raw value; `noun` names
    /// what it is in the error ("'x' is not a sink; use none, http or exec").
    static func choice(_ noun: String) -> Self {
        let names = Value.allCases.map(\.rawValue)
        let listed = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
        return Self(form: names.joined(separator: "|"), parse: { value throws(ConfigurationError) in
            guard let choice = Value(rawValue: value.entry.value) else {
                throw value.error("'\(value.entry.value)' is not a \(noun); use \(listed)")
            }
            return choice
        }, render: \.rawValue)
    }
}
