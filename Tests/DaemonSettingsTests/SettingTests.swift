import AlipayCrypto
@testable import DaemonSettings
@testable import NotifyDaemon
import TestSupport
import Testing

/// The declarations in `Setting.all` drive the config file: every setting
/// reaches a field of its own and reads back as written, a second value,
/// an empty value and a misspelled name are refused at their line, and a
/// reload puts in force exactly the settings declared to reload.
@Suite struct SettingTests {
    static let path = "/etc/notifyd/notifyd.conf"
    static let minimal = "alipay-public-key = keys/alipay.pem\napp-id = 2021000123456789\n"
    static let names = Setting.all.map(\.name)

    static func setting(_ name: String) throws -> Setting {
        try #require(Setting.named(name))
    }

    /// A value other than the default, of the setting's form.
    static func sample(_ setting: Setting) throws -> String {
        try #require(SettingSamples.value(form: setting.valueForm, notIn: setting.values(in: DaemonConfiguration())),
                     "no sample value for the form '\(setting.valueForm)' of '\(setting.name)': add two to SettingSamples")
    }

    /// The settings of a config file, without the checks across settings.
    static func apply(_ text: String) throws(ConfigurationError) -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        try configuration.apply(ConfigFile.parse(Array(text.utf8), path: path))
        return configuration
    }

    static func applyFlag(_ name: String, _ value: String, to configuration: DaemonConfiguration = DaemonConfiguration()) throws -> DaemonConfiguration {
        var configuration = configuration
        try configuration.apply([ConfigEntry(key: name, value: value, source: .commandLine)])
        return configuration
    }

    @Test(arguments: names)
    func everySettingIsReadFromTheFileIntoAFieldOfItsOwn(_ name: String) throws {
        let setting = try Self.setting(name)
        let sample = try Self.sample(setting)
        let base = try Self.apply(Self.minimal)
        let configured = try Self.apply(Self.minimal + "\(name) = \(sample)\n")
        #expect(setting.values(in: configured) != setting.values(in: base))
        #expect(configured.sources[name] == .file(path: Self.path, line: 3))
        for other in Setting.all where other.name != name {
            #expect(other.values(in: configured) == other.values(in: base), "setting \(name) also changed \(other.name)")
        }
    }

    @Test(arguments: names)
    func aValueAndTheDefaultShownReadBackAsWritten(_ name: String) throws {
        let setting = try Self.setting(name)
        let sample = try Self.sample(setting)
        #expect(setting.values(in: try Self.applyFlag(name, sample)).last == sample)
        if setting.defaultIsLiteral {
            let fresh = DaemonConfiguration()
            #expect(setting.values(in: try Self.applyFlag(name, setting.defaultValue)) == setting.values(in: fresh))
        }
    }

    @Test(arguments: names)
    func aSecondValueIsRefusedUnlessTheSettingIsAList(_ name: String) throws {
        let setting = try Self.setting(name)
        let sample = try Self.sample(setting)
        let text = "\(name) = \(sample)\n\(name) = \(sample)\n"
        if setting.isList {
            #expect(setting.values(in: try Self.apply(text)).count == 2)
        } else {
            let error = #expect(throws: ConfigurationError.self) { try Self.apply(text) }
            #expect(error?.description == "\(Self.path):2: '\(name)': given twice (first at \(Self.path):1); '\(name)' takes one value")
        }
    }

    @Test(arguments: names)
    func anEmptyValueIsRefusedAtItsLine(_ name: String) {
        let error = #expect(throws: ConfigurationError.self) { try Self.apply("# comment\n\(name) =\n") }
        #expect(error?.description.hasPrefix("\(Self.path):2: '\(name)': ") == true, "\(error?.description ?? "")")
    }

    @Test(arguments: names)
    func aMisspelledSettingIsAnsweredWithTheDeclaredName(_ name: String) throws {
        let misspelled = name + String(try #require(name.last))
        let error = #expect(throws: ConfigurationError.self) { try Self.apply("\(misspelled) = 1\n") }
        #expect(error?.description == "\(Self.path):1: unknown setting '\(misspelled)' (did you mean '\(name)'?)")
    }

    /// What SIGHUP puts in force: the key files it loads and the endpoint's settings.
    static func reloaded(_ configuration: DaemonConfiguration) throws -> String {
        let key = try RSAPublicKey(bytes: Fixtures.bytes(Fixtures.currentPublicKeyPEM))
        let endpoint = ConfigurationReload.endpointSettings(configuration, keys: [key])
        let rules = endpoint.rules
        return "\(configuration.alipayPublicKeyPaths) \(rules.appIDs.sorted()) \(rules.sellerID ?? "-") \(rules.acceptsUnknownOrders) \(rules.refundsDuplicatePayments) \(endpoint.verifier.allowsLegacyRSA) \(configuration.adminTokenFile ?? "-")"
    }

    @Test(arguments: names)
    func aReloadAppliesExactlyTheSettingsDeclaredToReload(_ name: String) throws {
        let setting = try Self.setting(name)
        let base = try Self.apply(Self.minimal)
        let changed = try Self.applyFlag(name, Self.sample(setting), to: base)
        #expect((try Self.reloaded(changed) != Self.reloaded(base)) == setting.reloads)
        #expect(ConfigurationReload.restartOnlySettings(base, changed) == (setting.reloads ? [] : [name]))
    }

    @Test func aSinkURLThatIsNotHTTPOrHTTPSIsRefusedNamingItsLine() throws {
        let configuration = try Self.apply(Self.minimal + "sink = http\nsink-url = ftp://fulfil.internal/events\n")
        let error = #expect(throws: ConfigurationError.self) { try configuration.validate() }
        #expect(error?.description.hasPrefix("\(Self.path):4: 'sink-url': 'ftp://fulfil.internal/events'") == true, "\(String(describing: error))")
        #expect(error?.description.contains("not http or https") == true)
        let https = try Self.apply(Self.minimal + "sink = http\nsink-url = https://fulfil.internal/events\n")
        #expect(throws: Never.self) { try https.validate() }
    }
}
