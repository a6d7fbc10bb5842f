import CLinux
import Synchronization
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening, non-blocking TCP socket: either opened here or
/// inherited from systemd (socket activation).
public final class ListeningSocket: @unchecked Sendable {
    public let fd: Int32
    private let closed = Atomic<Bool>(false)
    /// The address actually bound (with the real port when 0 was asked).
    public let localAddress: SocketAddress

    /// socket(2) + bind(2) + listen(2), with SO_REUSEADDR so that a restart
    /// does not wait for TIME_WAIT.
    public init(bindingTo address: SocketAddress, backlog: Int32 = 1024) throws(ListeningSocketError) {
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        if inet_pton(AF_INET, address.host, &storage) == 1 {
            family = AF_INET
            var ipv4 = sockaddr_in()
            ipv4.sin_family = sa_family_t(AF_INET)
            ipv4.sin_port = address.port.bigEndian
            _ = inet_pton(AF_INET, address.host, &ipv4.sin_addr)
            withUnsafeBytes(of: ipv4) { bytes in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else {
            var ipv6 = sockaddr_in6()
            guard inet_pton(AF_INET6, address.host, &ipv6.sin6_addr) == 1 else {
                throw .notNumericAddress(address.host)
            }
            family = AF_INET6
            ipv6.sin6_family = sa_family_t(AF_INET6)
            ipv6.sin6_port = address.port.bigEndian
            withUnsafeBytes(of: ipv6) { bytes in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        }

        let fd: Int32
        do {
            fd = try SystemCall.perform("socket") {
                socket(family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
            }
        } catch {
            throw .systemCall(error)
        }
        do throws(SystemError) {
            try SystemCall.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1, "setsockopt(SO_REUSEADDR)")
            _ = try SystemCall.perform("bind \(address)") {
                withUnsafePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
                }
            }
            _ = try SystemCall.perform("listen \(address)") { listen(fd, backlog) }
        } catch {
            SystemCall.close(fd)
            throw .systemCall(error)
        }
        self.fd = fd
        self.localAddress = ListeningSocket.boundAddress(fd) ?? address
    }

    /// Adopts a descriptor systemd passed (LISTEN_FDS): it must be a
    /// listening stream socket; it is made non-blocking.
    public init(inheritedDescriptor fd: Int32) throws(ListeningSocketError) {
        var accepting: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        // Not through SystemCall: EBADF here means the environment named a
        // descriptor that is not open, an error to report rather than a bug.
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &size) == 0 else {
            throw .systemCall(SystemError("getsockopt(SO_ACCEPTCONN) on inherited descriptor \(fd)", errno: errno))
        }
        guard accepting == 1 else { throw .notListening(descriptor: fd) }
        do throws(SystemError) {
            let flags = try SystemCall.perform("fcntl(F_GETFL) on inherited descriptor \(fd)") { fcntl(fd, F_GETFL) }
            _ = try SystemCall.perform("fcntl(O_NONBLOCK) on inherited descriptor \(fd)") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        } catch {
            throw .systemCall(error)
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        self.fd = fd
        self.localAddress = ListeningSocket.boundAddress(fd) ?? SocketAddress(host: "inherited", port: 0)
    }

    deinit {
        close()
    }

    /// Closes the socket (once): new connections are refused from then on.
    /// The event loop calls it after it stopped watching the descriptor.
    public func close() {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        SystemCall.close(fd)
    }

    static func boundAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                    var address = ipv4.pointee.sin_addr
                    inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
                    return SocketAddress(host: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), port: UInt16(bigEndian: ipv4.pointee.sin_port))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                    var address = ipv6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
                    return SocketAddress(host: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), port: UInt16(bigEndian: ipv6.pointee.sin6_port))
                }
            }
        default:
            return nil
        }
    }
}
