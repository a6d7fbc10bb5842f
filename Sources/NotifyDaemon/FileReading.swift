#if canImport(Glibc)
import Glibc
#endif

/// Reads whole small files (keys, configuration) with errors that say which
/// file and why, in the words of the C library.
public enum FileReading {
    public static let maximumBytes = 4 << 20

    public static func bytes(atPath path: String) throws(FileReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(path: path, errno: errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, errno: errno)
            }
            if count == 0 { break }
            result.append(contentsOf: buffer[0..<count])
            guard result.count <= maximumBytes else { throw FileReadError(path: path, errno: EFBIG) }
        }
        return result
    }
}

/// A file that could not be read.
public struct FileReadError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let errno: Int32

    public var description: String {
        "cannot read '\(path)': \(String(cString: strerror(errno)))"
    }
}
