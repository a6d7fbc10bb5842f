#if canImport(Glibc)
import Glibc
#endif
import FuzzChecks

/// Runs one fuzz target. Built by `scripts/fuzz.sh` with
/// `-sanitize=fuzzer,address -DFUZZING`, it is a libFuzzer program (every
/// argument after the target is a libFuzzer option or corpus folder); in a
/// normal build it replays files through the target's property, which is
/// how a crasher is examined under a debugger.
@main
struct NotifydFuzz {
    static func main() {
        #if FUZZING
        FuzzingLoop.run()
        #else
        var arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
            printUsage()
            exit(2)
        }
        let property: any FuzzProperty
        do {
            property = try target.makeProperty()
        } catch {
            writeError("notifyd-fuzz: \(target.rawValue): \(error)\n")
            exit(2)
        }
        arguments.remove(at: 1)
        exit(Replay.run(property, paths: Array(arguments.dropFirst())))
        #endif
    }

    static func printUsage() {
        var text = """
        usage: notifyd-fuzz TARGET [FILE|FOLDER|libFuzzer option ...]

        Targets:

        """
        for target in FuzzTarget.allCases {
            text += "  \(target.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(target.summary)\n"
        }
        text += """

        Built by scripts/fuzz.sh (with -sanitize=fuzzer,address) it fuzzes;
        a normal build replays the given files and folders through the
        target's property and exits 1 if any input breaks it.

        """
        writeError(text)
    }
}
