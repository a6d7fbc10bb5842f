import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// Makes committed WAL transactions durable with an explicit `fdatasync`
/// of the WAL file, so that the fsync can run on another thread while the
/// ledger writer already applies the next batch.
///
/// fsync works on the file, not the descriptor: syncing a descriptor of our
/// own flushes every frame SQLite wrote through its own. The WAL file lives
/// as long as the writer's connection is open; if it was ever replaced (a
/// different inode at the path), the descriptor is reopened and the new
/// file synced, so a sync never silently covers the wrong file.
final class WALSync: @unchecked Sendable {
    let path: String
    private var fd: Int32 = -1
    private var inode: ino_t = 0

    /// `syncDirectory` is fsync(2); a test gives one that fails.
    init(walPath: String, syncDirectory: (Int32) -> Int32 = { fsync($0) }) throws(SystemError) {
        self.path = walPath
        try reopen()
        // The WAL's directory entry must be durable too; once is enough,
        // since the file stays while the daemon runs. Without it nothing
        // the ledger commits is known to survive a crash: refused.
        let directory = walPath.lastIndex(of: "/").map { String(walPath[..<$0]) } ?? "."
        let name = directory.isEmpty ? "/" : directory
        let directoryFD = try SystemCall.perform("open of the ledger's directory '\(name)' (to sync the WAL's entry in it)") {
            open(name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        defer { close(directoryFD) }
        _ = try SystemCall.perform("fsync of the ledger's directory '\(name)' (the WAL's entry in it)") { syncDirectory(directoryFD) }
    }

    deinit {
        if fd >= 0 { SystemCall.close(fd) }
    }

    private func reopen() throws(SystemError) {
        if fd >= 0 { SystemCall.close(fd) }
        fd = -1
        fd = try SystemCall.perform("open of the WAL '\(path)' (to sync it)") { open(path, O_RDONLY | O_CLOEXEC) }
        var status = stat()
        fstat(fd, &status)
        inode = status.st_ino
    }

    /// Everything committed before this call is on disk when it returns.
    /// Called for one sync at a time (the ledger lane runs one barrier at
    /// a time, on its sync thread or on a caller committing on an idle lane).
    func sync() throws(SystemError) {
        var status = stat()
        if stat(path, &status) != 0 || status.st_ino != inode {
            try reopen()
        }
        _ = try SystemCall.perform("fdatasync of the WAL '\(path)'") { fdatasync(fd) }
    }
}
