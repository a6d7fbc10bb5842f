import CLinux
import Foundation

/// Runs a program whose descendants outlive it (`pg_ctl start` leaves the
/// server running): stdio on /dev/null and every other descriptor closed in
/// the child, so the daemon it leaves behind holds nothing of the test
/// process open. Foundation's `Process` cannot be used for this: it watches
/// for the end of its child through a socket that the child inherits, and a
/// server started by the child keeps that socket open forever.
public enum DetachedSpawn {
    /// Runs `arguments[0]` (an absolute path) and waits for it; returns its
    /// exit status, or -1 after killing it at the deadline.
    public static func run(_ arguments: [String], timeout: Double) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard status == 0 else { throw TestError("cannot start \(arguments[0]): \(String(cString: strerror(status)))") }
        let deadline = Date().addingTimeInterval(timeout)
        var waitStatus: Int32 = 0
        while true {
            let reaped = waitpid(pid, &waitStatus, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw TestError("waitpid: \(String(cString: strerror(errno)))") }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &waitStatus, 0)
                return -1
            }
            usleep(5000)
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
        return (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
    }
}
