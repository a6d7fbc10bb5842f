import CLinux
import Foundation

/// The daemon started the way systemd starts it with socket activation:
/// a listening socket the test owns passed as descriptor 3, with
/// `LISTEN_FDS`, `LISTEN_FDNAMES` and `LISTEN_PID` set; its log in a file.
public final class ActivatedDaemon: @unchecked Sendable {
    public var pid: pid_t { process.processIdentifier }
    public let logPath: String
    private let process: SpawnedProcess

    public init(listeningDescriptor: Int32, arguments: [String], logPath: String) throws {
        self.logPath = logPath
        // LISTEN_PID must be the daemon's own pid: a shell learns it and execs the daemon.
        let command = ["/bin/sh", "-c", "LISTEN_PID=$$ exec \"$0\" \"$@\"", DaemonProcess.binary] + arguments
        process = try SpawnedProcess(command, environment: ["LISTEN_FDS": "1", "LISTEN_FDNAMES": "notify"],
                                     removing: ["LISTEN_PID"], output: .file(logPath), descriptor: listeningDescriptor)
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`.
    public func waitForLog(_ text: String, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }

    /// Sends `signal` and returns the exit status (-1 when it had to be killed).
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 20) -> Int32 {
        if !process.isRunning { return process.terminationStatus }
        kill(pid, signal)
        return process.waitOrKill(seconds: timeout) ? process.terminationStatus : -1
    }

    /// A listening TCP socket on a free loopback port, as systemd would hold it.
    public static func listeningSocket() throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else { throw TestError("cannot listen: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }
}
