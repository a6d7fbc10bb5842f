import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The one wrapper through which the daemon makes system calls.
///
/// `EINTR` is retried; `EAGAIN` is a value (`.wouldBlock`), not an error;
/// `EBADF` is a bug in this program and stops it (a descriptor used after
/// close could by then belong to someone else); anything else throws a
/// `SystemError` that names the operation. Calls without a function of
/// their own here go through `call`.
public enum SystemCall {
    /// Runs `body`, a call that returns a negative value and sets errno on
    /// failure, under the rules above. `operation` names the call and what
    /// it was for, as a person reading a log line needs it.
    public static func call<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ body: () -> T) throws(SystemError) -> IOResult<T> {
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

    /// `call` for a call on a blocking descriptor or none (socket, open,
    /// epoll_ctl…), where `EAGAIN` is an error like any other.
    public static func perform<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ body: () -> T) throws(SystemError) -> T {
        switch try call(operation(), body) {
        case .done(let value): return value
        case .wouldBlock: throw SystemError(operation(), errno: EAGAIN)
        }
    }

    /// read(2) into `buffer`; 0 means end of stream.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try call("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// send(2) as much of `bytes` as the socket takes. MSG_NOSIGNAL: a peer
    /// that went away is an EPIPE error, not a SIGPIPE.
    public static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try call("send") { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// accept4(2), non-blocking and close-on-exec.
    public static func accept(_ fd: Int32) throws(SystemError) -> IOResult<Int32> {
        try call("accept4") {
            accept4(fd, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
        }
    }

    /// close(2). EINTR is not retried: on Linux the descriptor is gone anyway.
    public static func close(_ fd: Int32) {
        if Glibc.close(fd) != 0 && errno == EBADF {
            preconditionFailure("close on a closed descriptor (EBADF): a bug in alipay-notifyd")
        }
    }

    /// shutdown(2) of the sending side; errors (the peer is gone) are ignored.
    public static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// epoll_create1(2), close-on-exec.
    public static func epollCreate() throws(SystemError) -> Int32 {
        try perform("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
    }

    /// epoll_ctl(2) with `fd` itself as the event's data.
    public static func epollControl(_ epoll: Int32, _ operation: Int32, _ fd: Int32, events: UInt32) throws(SystemError) {
        var event = notifyd_epoll_event_make(events, UInt64(UInt32(bitPattern: fd)))
        _ = try perform("epoll_ctl") { epoll_ctl(epoll, operation, fd, &event) }
    }

    /// epoll_wait(2): the number of events stored in `events`, 0 on timeout.
    public static func epollWait(_ epoll: Int32, into events: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32) throws(SystemError) -> Int {
        switch try call("epoll_wait", { epoll_wait(epoll, events.baseAddress, Int32(events.count), timeoutMilliseconds) }) {
        case .done(let count): return Int(count)
        case .wouldBlock: return 0
        }
    }

    /// eventfd(2), non-blocking and close-on-exec, counting from 0.
    public static func eventFD() throws(SystemError) -> Int32 {
        try perform("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
    }

    /// Adds one to an eventfd's counter, waking whoever polls it.
    public static func signalEventFD(_ fd: Int32) throws(SystemError) {
        var one: UInt64 = 1
        _ = try withUnsafeBytes(of: &one) { bytes throws(SystemError) in
            try call("write to eventfd") { Glibc.write(fd, bytes.baseAddress, bytes.count) }
        }
    }

    /// Resets an eventfd's counter after a wake-up.
    public static func drainEventFD(_ fd: Int32) throws(SystemError) {
        var value: UInt64 = 0
        _ = try withUnsafeMutableBytes(of: &value) { bytes throws(SystemError) in
            try call("read from eventfd") { Glibc.read(fd, bytes.baseAddress, bytes.count) }
        }
    }

    /// setsockopt(2) of an integer option; `operation` names it, such as
    /// `setsockopt(TCP_NODELAY)`.
    public static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32, _ operation: String) throws(SystemError) {
        var value = value
        _ = try perform(operation) { setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) }
    }
}
