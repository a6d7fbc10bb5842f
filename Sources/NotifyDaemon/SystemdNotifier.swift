import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd how the service is doing (`Type=notify`): `READY=1` once the
/// listener is bound and the ledger open, `STOPPING=1` on shutdown,
/// `WATCHDOG=1` while the daemon is alive and not wedged. The protocol is a
/// datagram to the Unix socket named by `$NOTIFY_SOCKET` (a path, or an
/// abstract name written with a leading `@`), so no libsystemd is needed.
public final class SystemdNotifier: Sendable {
    private let address: [UInt8]
    private let fd: Int32

    /// The notifier for `$NOTIFY_SOCKET`, or nil when systemd did not ask for
    /// notifications. Removes the variable from the environment, so that
    /// commands run by the exec sink do not inherit it.
    public static func fromEnvironment() -> SystemdNotifier? {
        guard let path = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
        unsetenv("NOTIFY_SOCKET")
        return SystemdNotifier(path: path)
    }

    init?(path: String) {
        var bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") || bytes.first == UInt8(ascii: "@") else { return nil }
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }   // the abstract namespace
        guard bytes.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        self.fd = fd
        address = bytes
    }

    deinit {
        close(fd)
    }

    /// Sends one message such as `READY=1` or `STATUS=…`; true when it left.
    @discardableResult
    public func send(_ message: String) -> Bool {
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { path in
            for (index, byte) in address.enumerated() { path[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + address.count + (address.first == 0 ? 0 : 1))
        let payload = Array(message.utf8)
        let sent = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketPointer in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketPointer, length) }
            }
        }
        return sent == payload.count
    }

    /// Half the watchdog interval systemd asked for (`WATCHDOG_USEC`, for this
    /// process when `WATCHDOG_PID` is set), or nil when there is no watchdog.
    public static func watchdogInterval() -> Duration? {
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], Int32(pid) != getpid() { return nil }
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
        return .microseconds(Int64(microseconds / 2))
    }
}
