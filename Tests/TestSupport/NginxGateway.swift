import Foundation
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// nginx from Debian's packages, serving HTTPS on a free loopback port
/// with a given certificate, every request answered `200 {"ok":1}` (or
/// passed to an upstream). Started
/// in the foreground in a temporary directory and killed by `stop()` (or
/// when the value goes away).
public final class NginxGateway: @unchecked Sendable {
    /// nginx's path, when it is installed (root's PATH has sbin; others may not).
    public static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"]
        return directories.map { "\($0)/nginx" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    public static let missingMessage = "nginx is not installed: scripts/install-deps.sh test installs it (CI does)"

    /// The HTTPS port.
    public let port: UInt16
    /// A plain-HTTP port with the same answer, for measuring the client alone.
    public let httpPort: UInt16
    public let directory: TemporaryDirectory
    private let process: SpawnedProcess

    /// `upstream` (`127.0.0.1:PORT`): the HTTPS server passes every request
    /// there (TLS in front of a plain-HTTP gateway such as alipay-sandbox).
    public init(certificate: TestPKI.Identity, directory: TemporaryDirectory, upstream: String? = nil) throws {
        guard let executable = Self.executable else { throw TestError(Self.missingMessage) }
        self.directory = directory
        let prefix = directory.file("nginx")
        try FileManager.default.createDirectory(atPath: prefix + "/temp", withIntermediateDirectories: true)
        port = try SilentListener.refusedPort()
        httpPort = try SilentListener.refusedPort()
        let configuration = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/error.log;
            events { worker_connections 64; }
            http {
                log_format connections '$connection $connection_requests';
                access_log \(prefix)/access.log connections;
                client_body_temp_path \(prefix)/temp/body;
                proxy_temp_path \(prefix)/temp/proxy;
                fastcgi_temp_path \(prefix)/temp/fastcgi;
                uwsgi_temp_path \(prefix)/temp/uwsgi;
                scgi_temp_path \(prefix)/temp/scgi;
                server {
                    listen 127.0.0.1:\(port) ssl;
                    ssl_certificate \(certificate.certificate);
                    ssl_certificate_key \(certificate.key);
                    keepalive_requests 10000;
                    location / { \(upstream.map { "proxy_pass http://\($0);" } ?? #"default_type application/json; return 200 '{"ok":1}';"#) }
                }
                server {
                    listen 127.0.0.1:\(httpPort);
                    keepalive_requests 10000;
                    location / { default_type application/json; return 200 '{"ok":1}'; }
                }
            }
            """
        try Array(configuration.utf8).write(toFile: prefix + "/nginx.conf")
        process = try SpawnedProcess(
            [executable, "-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log"],
            output: .file(prefix + "/output.log")
        )
        try waitUntilListening()
    }

    deinit {
        stop()
    }

    /// Kills nginx (SIGKILL: nothing of it needs to survive) and reaps it.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The TLS connection that carried each request so far, in order
    /// (nginx's `$connection` serial number).
    public func connectionOfEachRequest() -> [String] {
        let text = (try? String(contentsOfFile: directory.file("nginx") + "/access.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard process.isRunning else {
                throw TestError("nginx exited (\(process.terminationStatus)): \(log())")
            }
            if (try? TCPClient(port: port, timeout: 1)) != nil { return }
            usleep(10_000)
        }
        throw TestError("nginx did not listen on \(port) within 10 s: \(log())")
    }

    private func log() -> String {
        let prefix = directory.file("nginx")
        return ["error.log", "output.log"].compactMap { try? String(contentsOfFile: "\(prefix)/\($0)", encoding: .utf8) }
            .joined(separator: "\n")
    }
}
