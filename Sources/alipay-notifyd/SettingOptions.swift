import ArgumentParser
import DaemonSettings
import NotifyDaemon

/// The setting flags of a command that reads a configuration: every
/// declared `Setting` as `--name VALUE` (or `--name`/`--no-name` for
/// true/false settings). The command's own options are parsed first; what
/// they leave over is read here, by the same declarations as the file.
struct SettingOptions: ParsableArguments {
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    /// The flags given, as settings with the same names as in the file.
    var entries: [ConfigEntry] {
        get throws {
            do {
                return try SettingFlags.entries(arguments)
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func validate() throws {
        _ = try entries
    }

    /// The part of a command's help that lists every setting flag.
    static let help = """
        SETTINGS (each also a 'name = value' line of the --config file; a flag wins \
        over the file, and a repeatable flag replaces the file's list):

        \(SettingsReference.flagList())
        """
}
