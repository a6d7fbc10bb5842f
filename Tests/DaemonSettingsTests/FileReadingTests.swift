@testable import DaemonSettings
import Foundation
import SystemSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileReadingTests {
    @Test func readsAWholeFile() throws {
        let path = NSTemporaryDirectory() + "file-reading-\(getpid())-small"
        defer { unlink(path) }
        try Data("key material".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try FileReading.bytes(atPath: path) == Array("key material".utf8))
    }

    @Test func namesTheFileAndTheReasonWhenItIsMissing() {
        let path = "/nonexistent-dir/alipay_public_key.pem"
        #expect(throws: FileReadError.system(SystemError("open '\(path)'", errno: ENOENT))) {
            try FileReading.bytes(atPath: path)
        }
        let text = FileReadError.system(SystemError("open '\(path)'", errno: ENOENT)).description
        #expect(text.contains(path))
        #expect(text.contains("No such file or directory"))
    }

    @Test func refusesAFileLargerThanAnyKeyOrConfiguration() throws {
        let path = NSTemporaryDirectory() + "file-reading-\(getpid())-large"
        defer { unlink(path) }
        try Data(count: FileReading.maximumBytes + 1).write(to: URL(fileURLWithPath: path))
        #expect(throws: FileReadError.tooLarge(path: path, limit: FileReading.maximumBytes)) {
            try FileReading.bytes(atPath: path)
        }
        #expect(FileReadError.tooLarge(path: path, limit: FileReading.maximumBytes).description.contains("larger than 4 MiB"))
    }
}
