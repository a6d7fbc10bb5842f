import CLinux
import Foundation

/// A throwaway PostgreSQL cluster for the tests: initdb in a temporary
/// directory, started on a free loopback port with pg_ctl, as the `nobody`
/// user when the tests run as root (PostgreSQL refuses to run as root), and
/// removed when the test process exits. `scripts/test.sh` installs the
/// server from Debian's packages; without it these tests fail and say so.
public final class PostgresServer: @unchecked Sendable {
    /// One cluster shared by the tests of a process; each test takes a database of its own.
    public static let shared: PostgresServer = {
        do {
            let server = try PostgresServer()
            PostgresServer.sharedStarted = server
            atexit { PostgresServer.stopShared() }
            return server
        } catch {
            fatalError("cannot start a PostgreSQL server for the tests: \(error)")
        }
    }()

    nonisolated(unsafe) private static var sharedStarted: PostgresServer?

    private static func stopShared() {
        sharedStarted?.stop()
    }

    public let directory: String
    public let port: UInt16
    let binaries: String
    let runAs: String?
    private let lock = NSLock()
    private var databases = 0

    public init() throws {
        guard let binaries = Self.findBinaries() else {
            throw TestError("no PostgreSQL server found under /usr/lib/postgresql/*/bin: run scripts/test.sh, which installs it (apt-get install postgresql)")
        }
        self.binaries = binaries
        runAs = getuid() == 0 ? "nobody" : nil
        directory = FileManager.default.temporaryDirectory.path + "/notifyd-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let runAs {
            _ = try ChildProcess.run("chown", ["-R", runAs, directory])
        }
        port = try Self.freePort()
        try run("initdb", ["-D", "\(directory)/data", "-U", "notifyd", "--auth=trust", "-E", "UTF8", "--no-locale"], timeout: 120)
        try start()
    }

    deinit {
        stop()
    }

    private var stopped = false

    /// Stops the cluster and removes its files.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        _ = try? run("pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "-w", "stop"], timeout: 30)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts the server (again) on the same port and data.
    public func start() throws {
        try run("pg_ctl", ["-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-t", "60", "start", "-o",
                           "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=64MB"],
                timeout: 90)
    }

    /// Stops the server abruptly, as a crash or a failover looks to its
    /// clients; the data stays for `start()`.
    public func kill() throws {
        try run("pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "-w", "stop"], timeout: 30)
    }

    /// A new, empty database, and its connection URL.
    public func makeDatabase() throws -> String {
        let name: String = lock.withLock {
            databases += 1
            return "notifyd_test_\(databases)_\(UUID().uuidString.prefix(6).lowercased())"
        }
        let result = try ChildProcess.run("\(binaries)/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "notifyd", "-d", "postgres",
                                                              "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"])
        guard result.status == 0 else { throw TestError("CREATE DATABASE failed: \(result.stderr)") }
        return url(database: name)
    }

    public func url(database: String) -> String {
        "postgresql://notifyd@127.0.0.1:\(port)/\(database)"
    }

    /// One answer of psql, as an operator would ask.
    public func sql(_ databaseURL: String, _ query: String) throws -> String {
        let result = try ChildProcess.run("\(binaries)/psql", [databaseURL, "-At", "-v", "ON_ERROR_STOP=1", "-c", query])
        guard result.status == 0 else { throw TestError("psql failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a PostgreSQL tool with its output in a file and nothing of the
    /// test process inherited (see `DetachedSpawn`).
    private func run(_ tool: String, _ arguments: [String], timeout: Double) throws {
        let path = "\(binaries)/\(tool)"
        let command = ([path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let output = "\(directory)/\(tool).out"
        let shell = "\(command) > '\(output)' 2>&1 < /dev/null"
        let status: Int32
        if let runAs {
            status = try DetachedSpawn.run(["/usr/sbin/runuser", "-u", runAs, "--", "/bin/sh", "-c", shell], timeout: timeout)
        } else {
            status = try DetachedSpawn.run(["/bin/sh", "-c", shell], timeout: timeout)
        }
        guard status == 0 else {
            let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            let log = (try? String(contentsOfFile: "\(directory)/server.log", encoding: .utf8)) ?? ""
            throw TestError("\(tool) failed (\(status)): \(printed.suffix(1000)) \(log.suffix(2000))")
        }
    }

    static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        for version in versions.reversed() where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return "\(root)/\(version)/bin"
        }
        return nil
    }

    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)
        guard port != 0 else { throw TestError("no free port") }
        return port
    }
}
