import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who holds a claim in the ledger (`lease_owner`): a daemon or a command,
/// on which host, in which process. A daemon that restarts on an SQLite
/// ledger releases what names starting with `daemonPrefix` held (its
/// earlier life's claims); on a shared ledger they may be another
/// daemon's, and run out by themselves.
public enum ClaimOwner {
    /// What every daemon's name starts with.
    public static let daemonPrefix = "daemon:"

    /// This daemon process.
    public static var daemon: String { daemonPrefix + processName }

    /// This command-line process (`refund`, `orders new-serial`).
    public static var command: String { "cli:" + processName }

    private static var processName: String { "\(ProcessInfo.processInfo.hostName):\(getpid())" }
}
