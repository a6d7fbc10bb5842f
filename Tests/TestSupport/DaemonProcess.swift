import Foundation

/// The built `alipay-notifyd` binary, run as a real process with a real
/// SQLite file, answering on a port the kernel picked.
public final class DaemonProcess: @unchecked Sendable {
    /// The binary under test: `$ALIPAY_NOTIFYD_BIN`, else the one built next
    /// to the test bundle.
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["ALIPAY_NOTIFYD_BIN"] { return path }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("alipay-notifyd").path
    }

    public let process: SpawnedProcess
    public private(set) var port: UInt16 = 0
    /// The admin listener's port, when the log named one.
    public private(set) var adminPort: UInt16 = 0
    private let output = LockedText()
    public let directory: TemporaryDirectory

    /// Arguments for a daemon on the fixture key, app id and seller id,
    /// with its ledger in `directory`, or in the PostgreSQL `database`.
    public static func fixtureArguments(_ directory: TemporaryDirectory, database: String? = nil, extra: [String] = []) -> [String] {
        ["serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--db", database ?? directory.file("ledger.db"),
         "--alipay-public-key", Fixtures.path(Fixtures.currentPublicKeyPEM),
         "--app-id", Fixtures.config.app_id, "--seller-id", Fixtures.config.seller_id] + extra
    }

    /// Starts the daemon and waits until it logs the address it listens on.
    /// `launcher` runs the binary through another program (`prlimit …`).
    public init(arguments: [String], directory: TemporaryDirectory, environment: [String: String]? = nil,
                waitForListening: Bool = true, launcher: [String] = []) throws {
        self.directory = directory
        let command = launcher.isEmpty ? [Self.binary] + arguments : launcher + [Self.binary] + arguments
        process = try SpawnedProcess(command, environment: environment ?? [:], output: .mergedPipe)
        output.follow(process.standardOutput!)
        guard waitForListening else { return }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let text = output.text
            if let match = text.firstMatch(of: /notifyd listening on [0-9.]+:(\d+)/), let port = UInt16(match.1) {
                self.port = port
                if let admin = text.firstMatch(of: /admin listening on [0-9.]+:(\d+)/), let adminPort = UInt16(admin.1) {
                    self.adminPort = adminPort
                }
                return
            }
            if !process.isRunning { break }
            usleep(10_000)
        }
        let log = output.text
        stop()
        throw TestError("the daemon did not start listening; its log:\n\(log)")
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    public var url: String { "http://127.0.0.1:\(port)" }
    public var notifyURL: String { url + "/notify" }
    public var adminURL: String { "http://127.0.0.1:\(adminPort)" }
    public var log: String { output.text }
    /// The SQLite ledger the daemon was given with `--db` (by default the
    /// one `fixtureArguments` puts in `directory`).
    public var databasePath: String {
        let arguments = process.arguments
        if let flag = arguments.firstIndex(of: "--db"), flag + 1 < arguments.count { return arguments[flag + 1] }
        return directory.file("ledger.db")
    }

    /// Sends `signal` and waits for the exit; returns the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 20) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitOrKill(seconds: timeout)
        let status = process.terminationStatus
        // 66: a sanitizer's report (scripts/sanitize.sh); the report is in the daemon's log.
        if status == 66 { FileHandle.standardError.write(Data("daemon exited 66; its log:\n\(log)\n".utf8)) }
        return status
    }

    /// Runs the binary once (a CLI subcommand) and returns what it printed.
    public static func command(_ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
        try ChildProcess.run(binary, arguments, input: input)
    }

    /// One answer of `sqlite3` on the daemon's ledger, as an operator would ask.
    public func sql(_ query: String) throws -> String {
        let result = try ChildProcess.run("sqlite3", [databasePath, query])
        guard result.status == 0 else { throw TestError("sqlite3 failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Text appended from a reader thread and read by the test.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    func append(_ text: String) { lock.withLock { value += text } }

    /// Appends what `handle` reads until its writer closes it, on a thread
    /// of its own (no dispatch source that could outlive the descriptor).
    func follow(_ handle: FileHandle) {
        let reader = UncheckedSendable(handle)
        Thread.detachNewThread { [self] in
            while true {
                let data = reader.value.availableData
                if data.isEmpty { break }
                append(String(decoding: data, as: UTF8.self))
            }
        }
    }
    var text: String { lock.withLock { value } }
}
