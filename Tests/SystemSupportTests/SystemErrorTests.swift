import Testing
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SystemErrorTests {
    @Test func saysWhatFailedAndWhyInTheWordsOfTheCLibrary() {
        let error = SystemError("bind 0.0.0.0:80", errno: EACCES)
        #expect(error.reason == "Permission denied")
        #expect(error.description == "bind 0.0.0.0:80 failed: Permission denied (errno 13)")
    }

    @Test func comparesByOperationAndErrno() {
        #expect(SystemError("read", errno: EIO) == SystemError("read", errno: EIO))
        #expect(SystemError("read", errno: EIO) != SystemError("write", errno: EIO))
        #expect(SystemError("read", errno: EIO) != SystemError("read", errno: ENOSPC))
    }
}
