import CLinux
import Foundation

/// A Unix datagram socket that plays systemd's `$NOTIFY_SOCKET`: bound to a
/// path, or to an abstract name (`@…`), it collects what the daemon sends.
public final class DatagramReceiver: @unchecked Sendable {
    /// What to put in `NOTIFY_SOCKET`.
    public let address: String
    private let fd: Int32

    public init(path: String? = nil, abstractName: String? = nil) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket(AF_UNIX, SOCK_DGRAM) failed") }
        var bytes: [UInt8]
        if let abstractName {
            bytes = [0] + Array(abstractName.utf8)
            address = "@" + abstractName
        } else {
            bytes = Array((path ?? "").utf8)
            address = path ?? ""
        }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { target in
            for (index, byte) in bytes.enumerated() { target[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstractName == nil ? 1 : 0))
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw TestError("bind \(address): \(String(cString: strerror(errno)))") }
    }

    deinit {
        close(fd)
        if !address.hasPrefix("@") { unlink(address) }
    }

    /// The next datagram, or nil after `timeout` seconds without one.
    public func receive(timeout: Double) -> String? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// Messages until one contains `wanted` (returned with everything before it), or nil at the deadline.
    public func waitFor(_ wanted: String, timeout: Double) -> [String]? {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [String] = []
        while Date() < deadline {
            guard let message = receive(timeout: max(0.01, deadline.timeIntervalSinceNow)) else { continue }
            seen.append(message)
            if message.split(separator: "\n").contains(Substring(wanted)) { return seen }
        }
        return nil
    }
}
