/// A client setting that cannot work, said for the person who wrote it:
/// which setting, its value, why it is refused and what to do.
public struct HTTPClientConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The setting, such as `gatewayURL`, `url` or `caFile`.
    public let setting: String
    /// The value as given.
    public let value: String
    /// Why it is refused.
    public let problem: String
    /// What to do instead.
    public let remedy: String

    public init(setting: String, value: String, problem: String, remedy: String) {
        self.setting = setting
        self.value = value
        self.problem = problem
        self.remedy = remedy
    }

    public var description: String {
        "\(setting) '\(value)': \(problem); \(remedy)"
    }
}
