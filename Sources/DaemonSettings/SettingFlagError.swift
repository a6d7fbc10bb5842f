/// A command line whose setting flags cannot be read: an unknown flag, a
/// missing value. (A value of the wrong form is a `ConfigurationError`.)
public struct SettingFlagError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
