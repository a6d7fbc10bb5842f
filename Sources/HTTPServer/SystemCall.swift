import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The one wrapper through which the server makes system calls.
///
/// `EINTR` is retried; `EAGAIN` is a value (`.wouldBlock`), not an error;
/// `EBADF` is a bug in this program and stops it; anything else throws a
/// `SystemError` that names the operation.
enum SystemCall {
    @inline(__always)
    private static func retrying<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ body: () -> T) throws(SystemError) -> IOResult<T> {
        while true {
            let result = body()
            if result >= 0 { return .done(result) }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case EBADF: preconditionFailure("\(operation()) on a closed descriptor (EBADF): a bug in alipay-notifyd")
            default: throw SystemError(operation(), errno: code)
            }
        }
    }

    /// read(2) into `buffer`; 0 means end of stream.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try retrying("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// write(2) as much of `bytes` as the socket takes. MSG_NOSIGNAL: a peer
    /// that went away is an EPIPE error, not a SIGPIPE.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try retrying("send") { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// accept4(2), non-blocking and close-on-exec.
    static func accept(_ fd: Int32) throws(SystemError) -> IOResult<Int32> {
        try retrying("accept4") {
            accept4(fd, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
        }
    }

    /// close(2). EINTR is not retried: on Linux the descriptor is gone anyway.
    static func close(_ fd: Int32) {
        if Glibc.close(fd) != 0 && errno == EBADF {
            preconditionFailure("close on a closed descriptor (EBADF): a bug in alipay-notifyd")
        }
    }

    /// shutdown(2) of the sending side; errors (the peer is gone) are ignored.
    static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    static func epollCreate() throws(SystemError) -> Int32 {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SystemError("epoll_create1", errno: errno) }
        return fd
    }

    static func epollControl(_ epoll: Int32, _ operation: Int32, _ fd: Int32, events: UInt32) throws(SystemError) {
        var event = notifyd_epoll_event_make(events, UInt64(UInt32(bitPattern: fd)))
        guard epoll_ctl(epoll, operation, fd, &event) == 0 else {
            let code = errno
            if code == EBADF { preconditionFailure("epoll_ctl on a closed descriptor (EBADF): a bug in alipay-notifyd") }
            throw SystemError("epoll_ctl", errno: code)
        }
    }

    static func eventFD() throws(SystemError) -> Int32 {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw SystemError("eventfd", errno: errno) }
        return fd
    }

    static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32, _ operation: String) throws(SystemError) {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SystemError(operation, errno: errno)
        }
    }

    /// Monotonic nanoseconds, for deadlines.
    static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

/// Facts about the machine the server runs on.
public enum System {
    /// Cores available to this process.
    public static var activeProcessorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

extension Duration {
    /// Whole nanoseconds, for comparing with `SystemCall.monotonicNanoseconds()`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
