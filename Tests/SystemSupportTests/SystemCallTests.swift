import CLinux
import Testing
@testable import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SystemCallTests {
    @Test func retriesACallInterruptedBySignal() throws {
        var attempts = 0
        let result = try SystemCall.call("test read") { () -> Int in
            attempts += 1
            if attempts < 3 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(result == .done(7))
        #expect(attempts == 3)
    }

    @Test func returnsWouldBlockAsAValueNotAnError() throws {
        let result = try SystemCall.call("test read") { () -> Int in
            errno = EAGAIN
            return -1
        }
        #expect(result == .wouldBlock)
    }

    @Test func throwsAnErrorNamingTheOperationAndErrno() {
        #expect(throws: SystemError("open '/nonexistent/key.pem'", errno: ENOENT)) {
            try SystemCall.perform("open '/nonexistent/key.pem'") { open("/nonexistent/key.pem", O_RDONLY) }
        }
        let error = SystemError("open '/nonexistent/key.pem'", errno: ENOENT)
        #expect(error.description == "open '/nonexistent/key.pem' failed: No such file or directory (errno 2)")
    }

    @Test func doesNotTreatWouldBlockAsSuccessWhereTheCallCannotBlock() {
        #expect(throws: SystemError("test", errno: EAGAIN)) {
            try SystemCall.perform("test") { () -> Int32 in
                errno = EAGAIN
                return -1
            }
        }
    }

    @Test func readsAnEmptyNonBlockingPipeAsWouldBlockAndItsEndAsZero() throws {
        var ends: [Int32] = [0, 0]
        _ = try SystemCall.perform("pipe2") { pipe2(&ends, O_NONBLOCK | O_CLOEXEC) }
        defer { SystemCall.close(ends[0]) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
        defer { buffer.deallocate() }
        #expect(try SystemCall.read(ends[0], into: buffer) == .wouldBlock)
        SystemCall.close(ends[1])
        #expect(try SystemCall.read(ends[0], into: buffer) == .done(0))
    }

    @Test func wakesAndDrainsAnEventFD() throws {
        let fd = try SystemCall.eventFD()
        defer { SystemCall.close(fd) }
        try SystemCall.signalEventFD(fd)
        try SystemCall.signalEventFD(fd)
        var value: UInt64 = 0
        let read = try withUnsafeMutableBytes(of: &value) { bytes in
            Result { () throws(SystemError) in try SystemCall.call("read") { Glibc.read(fd, bytes.baseAddress, 8) } }
        }.get()
        #expect(read == .done(8))
        #expect(value == 2)
        try SystemCall.signalEventFD(fd)
        try SystemCall.drainEventFD(fd)
        let again = try withUnsafeMutableBytes(of: &value) { bytes in
            Result { () throws(SystemError) in try SystemCall.call("read") { Glibc.read(fd, bytes.baseAddress, 8) } }
        }.get()
        #expect(again == .wouldBlock, "the counter was not reset")
    }

    @Test func stopsOnADescriptorThatIsNotOpen() async {
        await #expect(processExitsWith: .failure) {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
            _ = try? SystemCall.read(-1, into: buffer)
        }
    }
}
