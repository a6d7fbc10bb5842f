import Foundation
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// Listening sockets systemd passed in (`LISTEN_FDS`, `LISTEN_PID`,
/// `LISTEN_FDNAMES`), so that `alipay-notifyd.socket` can bind port 80 or
/// 443 without privileges and a restart loses no connection: the kernel
/// keeps queueing connections on the socket while the service restarts.
///
/// The socket named `admin` (`FileDescriptorName=admin`) serves the admin
/// listener; the first other one serves notifications.
package struct SocketActivation {
    let notify: ListeningSocket?
    let admin: ListeningSocket?

    /// The passed sockets, or nil when systemd passed none to this process.
    /// Removes the variables from the environment (children must not adopt them).
    static func fromEnvironment() throws -> SocketActivation? {
        let environment = ProcessInfo.processInfo.environment
        guard let pidText = environment["LISTEN_PID"], let pid = Int32(pidText), pid == getpid(),
              let countText = environment["LISTEN_FDS"], let count = Int32(countText), count > 0 else { return nil }
        let names = (environment["LISTEN_FDNAMES"] ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        var notify: ListeningSocket?
        var admin: ListeningSocket?
        for index in 0..<count {
            let fd = 3 + index
            let name = Int(index) < names.count ? names[Int(index)] : ""
            do {
                let socket = try ListeningSocket(inheritedDescriptor: fd)
                if name == "admin" {
                    admin = admin ?? socket
                } else {
                    notify = notify ?? socket
                }
            } catch {
                throw UnusableDescriptor(descriptor: fd, name: name, error: error)
            }
        }
        return SocketActivation(notify: notify, admin: admin)
    }

    /// A descriptor systemd passed that cannot serve as a listener.
    struct UnusableDescriptor: Error, CustomStringConvertible {
        let descriptor: Int32
        let name: String
        let error: any Error

        var description: String {
            "socket activation: descriptor \(descriptor) (\(name.isEmpty ? "unnamed" : name)) is unusable: \(error)"
        }
    }
}
