#if FUZZING
#if canImport(Glibc)
import Glibc
#endif
import CLibFuzzer
import FuzzChecks

/// The property libFuzzer's callback checks. The callbacks are C functions
/// and cannot capture it; it is set once, before the loop starts.
nonisolated(unsafe) private var currentProperty: (any FuzzProperty)?

/// libFuzzer calls this before reading its options: the first argument
/// names the target, and is taken out so libFuzzer does not read it as a
/// corpus folder.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> Int32 {
    let arguments = argv.pointee!
    guard argc.pointee >= 2, let name = arguments[1].map({ String(cString: $0) }),
          let target = FuzzTarget(rawValue: name) else {
        NotifydFuzz.printUsage()
        exit(2)
    }
    do {
        currentProperty = try target.makeProperty()
    } catch {
        writeError("notifyd-fuzz: \(target.rawValue): \(error)\n")
        exit(2)
    }
    for index in 1..<Int(argc.pointee) { arguments[index] = arguments[index + 1] }
    argc.pointee -= 1
    return 0
}

/// One input. A broken property aborts, so libFuzzer saves the input as a
/// crasher, exactly as for a crash in the code under test.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    do {
        try currentProperty!.check(input)
    } catch {
        writeError("property broken: \(error)\n")
        abort()
    }
    return 0
}

/// Hands the process to libFuzzer (when the linker kept this program's
/// `main` rather than libFuzzer's own, which does the same).
enum FuzzingLoop {
    static func run() -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
    }
}
#endif
