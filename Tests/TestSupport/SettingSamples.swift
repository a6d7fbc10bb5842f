/// Valid values for each form of setting value, so that tests can set
/// every declared setting to something other than its default without
/// naming the settings: a new setting of a known form needs nothing here.
public enum SettingSamples {
    /// Two valid values per form (`Setting.valueForm`), as they read back.
    static let candidates: [String: [String]] = [
        "HOST:PORT": ["127.0.0.1:0", "127.0.0.1:1"],
        "HOST:PORT|off": ["off", "127.0.0.1:0"],
        "PATH|URL": ["sample-ledger.db", "other-ledger.db"],
        "FILE": ["missing-sample-key.pem", "other-key.pem"],
        "ID": ["2021000000000077", "2088000000000077"],
        "PATH": ["/sample/notify", "/other/notify"],
        "true|false": ["true", "false"],
        "N": ["3", "5"],
        "SIZE": ["2MiB", "3MiB"],
        "DURATION": ["7s", "9s"],
        "LEVEL": ["warning", "error"],
        "text|json": ["json", "text"],
        "none|http|exec": ["http", "exec"],
        "URL": ["http://127.0.0.1:9/events", "http://127.0.0.1:9/other"],
        "COMMAND": ["cat > /dev/null", "true"],
    ]

    /// A valid value of `form` that is none of `defaults` (the values in
    /// force by default); nil when the form is new here.
    public static func value(form: String, notIn defaults: [String]) -> String? {
        candidates[form]?.first { !defaults.contains($0) }
    }
}
