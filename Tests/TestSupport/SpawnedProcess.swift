import CLinux
import Foundation

/// A child process started with `posix_spawn`, every descriptor beyond its
/// stdio closed in the child, and reaped with `waitpid` on its own pid.
///
/// Foundation's `Process` is not used in the tests: it learns that a child
/// ended through a socket the child holds, and a child spawned at the same
/// moment by another test thread can inherit that socket. The first child's
/// end then goes unnoticed for as long as the second one runs (a `sqlite3`
/// that has exited waits for a daemon that waits for the test), which hangs
/// suites that run in parallel.
public final class SpawnedProcess: @unchecked Sendable {
    /// Where the child's stdout and stderr go.
    public enum Output {
        /// Two pipes, read through `standardOutput` and `standardError`.
        case separatePipes
        /// One pipe for both, read through `standardOutput`.
        case mergedPipe
        /// Appended to a file.
        case file(String)
        case null
    }

    public let processIdentifier: pid_t
    public let arguments: [String]
    /// The write end of the child's stdin, when asked for.
    public let standardInput: FileHandle?
    public let standardOutput: FileHandle?
    public let standardError: FileHandle?
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `command[0]` (a path, or a name looked up in PATH) with the
    /// rest as arguments. `environment` entries are added to this process's
    /// own; `descriptor` is passed to the child as its fd 3.
    public init(_ command: [String], environment: [String: String] = [:], removing removed: [String] = [],
                input: Bool = false, output: Output = .separatePipes, descriptor: Int32? = nil) throws {
        arguments = Array(command.dropFirst())
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        /// A pipe whose one end becomes `target` in the child (its read end
        /// for stdin, its write end otherwise); returns the parent's end.
        func pipe(to target: Int32) throws -> Int32 {
            var ends: [Int32] = [0, 0]
            guard pipe2(&ends, O_CLOEXEC) == 0 else { throw TestError("pipe2: \(String(cString: strerror(errno)))") }
            let (child, parent) = target == 0 ? (ends[0], ends[1]) : (ends[1], ends[0])
            posix_spawn_file_actions_adddup2(&actions, child, target)
            childEnds.append(child)
            parentEnds.append(parent)
            return parent
        }

        var stdinWriter: Int32?
        if input {
            stdinWriter = try pipe(to: 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        var stdoutReader: Int32?
        var stderrReader: Int32?
        switch output {
        case .separatePipes:
            stdoutReader = try pipe(to: 1)
            stderrReader = try pipe(to: 2)
        case .mergedPipe:
            stdoutReader = try pipe(to: 1)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .null:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        if let descriptor { posix_spawn_file_actions_adddup2(&actions, descriptor, 3) }
        posix_spawn_file_actions_addclosefrom_np(&actions, descriptor == nil ? 3 : 4)

        var merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // scripts/sanitize.sh checks the daemons and tools for leaks, but
        // not the test process itself (its harness and Foundation keep
        // allocations until exit): children get their own ASan options.
        if let childOptions = merged["NOTIFYD_TEST_CHILD_ASAN_OPTIONS"] { merged["ASAN_OPTIONS"] = childOptions }
        for name in removed { merged.removeValue(forKey: name) }
        let argv = command.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, command[0], &actions, nil, argv, envp)
        childEnds.forEach { close($0) }
        guard status == 0 else {
            parentEnds.forEach { close($0) }
            throw TestError("cannot start \(command[0]): \(String(cString: strerror(status)))")
        }
        processIdentifier = pid
        standardInput = stdinWriter.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardOutput = stdoutReader.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardError = stderrReader.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    deinit {
        if isRunning {
            kill(processIdentifier, SIGKILL)
            waitUntilExit()
        }
    }

    public var isRunning: Bool {
        reap(blocking: false)
        return lock.withLock { exitStatus == nil }
    }

    public func waitUntilExit() {
        reap(blocking: true)
    }

    /// Waits at most `seconds`; true when the process has ended.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning {
            if Date() > deadline { return false }
            usleep(5_000)
        }
        return true
    }

    /// Waits at most `seconds`, then kills it with SIGKILL and reaps it;
    /// true when it ended by itself.
    @discardableResult
    public func waitOrKill(seconds: Double) -> Bool {
        if wait(seconds: seconds) { return true }
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
        return false
    }

    /// The exit status, or 128 + the signal that ended it.
    public var terminationStatus: Int32 {
        waitUntilExit()
        return lock.withLock { exitStatus ?? -1 }
    }

    private func reap(blocking: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard exitStatus == nil else { return }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(processIdentifier, &status, blocking ? 0 : WNOHANG)
            if reaped == processIdentifier {
                // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
                exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                return
            }
            if reaped < 0 && errno == EINTR { continue }
            return
        }
    }
}
