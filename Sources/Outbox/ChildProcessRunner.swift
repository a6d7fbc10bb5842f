import CLinux
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs a child process in a process group of its own with `posix_spawn`,
/// feeds it stdin, keeps the tail of its stderr, and enforces a deadline by
/// killing the whole group (so a shell's children die with it).
enum ChildProcessRunner {
    enum Outcome: Equatable {
        case exited(Int32, String)
        case signaled(Int32, String)
        case timedOut
        case couldNotStart(SystemError)
    }

    static func run(_ arguments: [String], environment: [String: String], input: [UInt8], timeoutMilliseconds: Int) -> Outcome {
        var stdinPipe: [Int32] = [0, 0]
        var stderrPipe: [Int32] = [0, 0]
        do throws(SystemError) {
            _ = try SystemCall.perform("pipe2 for the command's stdin") { pipe2(&stdinPipe, O_CLOEXEC) }
        } catch {
            return .couldNotStart(error)
        }
        do throws(SystemError) {
            _ = try SystemCall.perform("pipe2 for the command's stderr") { pipe2(&stderrPipe, O_CLOEXEC) }
        } catch {
            close(stdinPipe[0]); close(stdinPipe[1])
            return .couldNotStart(error)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        close(stdinPipe[0])
        close(stderrPipe[1])
        guard status == 0 else {
            close(stdinPipe[1]); close(stderrPipe[0])
            // posix_spawn returns its error number instead of setting errno.
            return .couldNotStart(SystemError("posix_spawn \(arguments[0])", errno: status))
        }

        // Write stdin (the event is small; a command that does not read it
        // gets EPIPE here, which is fine), then close it.
        _ = input.withUnsafeBytes { write(stdinPipe[1], $0.baseAddress, $0.count) }
        close(stdinPipe[1])

        let deadline = MonotonicClock.nanoseconds() + Int64(timeoutMilliseconds) * 1_000_000
        var errorOutput: [UInt8] = []
        _ = fcntl(stderrPipe[0], F_SETFL, fcntl(stderrPipe[0], F_GETFL) | O_NONBLOCK)
        defer { close(stderrPipe[0]) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var stderrOpen = true
        while true {
            if stderrOpen {
                let count = buffer.withUnsafeMutableBytes { read(stderrPipe[0], $0.baseAddress, $0.count) }
                if count > 0 {
                    errorOutput += buffer[0..<count]
                    if errorOutput.count > 2048 { errorOutput.removeFirst(errorOutput.count - 2048) }
                } else if count == 0 {
                    stderrOpen = false
                }
            }
            var waitStatus: Int32 = 0
            let reaped = waitpid(pid, &waitStatus, WNOHANG)
            if reaped == pid {
                let text = String(decoding: errorOutput, as: UTF8.self).trimmingCharacters(in: " \n\t")
                let tail = String(text.suffix(300))
                if waitStatus & 0x7F == 0 { return .exited((waitStatus >> 8) & 0xFF, tail) }
                return .signaled(waitStatus & 0x7F, tail)
            }
            if MonotonicClock.nanoseconds() > deadline {
                kill(-pid, SIGTERM)
                for _ in 0..<200 {
                    if waitpid(pid, &waitStatus, WNOHANG) == pid { return .timedOut }
                    usleep(10_000)
                }
                kill(-pid, SIGKILL)
                waitpid(pid, &waitStatus, 0)
                return .timedOut
            }
            if stderrOpen {
                var entry = pollfd(fd: stderrPipe[0], events: Int16(POLLIN), revents: 0)
                _ = poll(&entry, 1, 10)
            } else {
                usleep(5_000)
            }
        }
    }
}
