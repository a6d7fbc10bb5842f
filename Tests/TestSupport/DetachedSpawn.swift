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
        let process = try SpawnedProcess(arguments, output: .null)
        return process.waitOrKill(seconds: timeout) ? process.terminationStatus : -1
    }
}
