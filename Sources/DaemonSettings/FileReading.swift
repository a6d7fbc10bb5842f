import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// Reads whole small files (keys, configuration) with errors that say which
/// file and why, in the words of the C library.
public enum FileReading {
    public static let maximumBytes = 4 << 20

    public static func bytes(atPath path: String) throws(FileReadError) -> [UInt8] {
        let contents: [UInt8]?
        do {
            contents = try read(path)
        } catch {
            throw .system(error)
        }
        guard let contents else { throw .tooLarge(path: path, limit: maximumBytes) }
        return contents
    }

    /// The whole file, or nil once it passes `maximumBytes`.
    private static func read(_ path: String) throws(SystemError) -> [UInt8]? {
        let fd = try SystemCall.perform("open '\(path)'") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { SystemCall.close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = try buffer.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemError) in
                    try SystemCall.perform("read '\(path)'") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
                }
            }.get()
            if count == 0 { return result }
            result.append(contentsOf: buffer[0..<count])
            guard result.count <= maximumBytes else { return nil }
        }
    }
}

/// A file that could not be read: a system call failed (the error names
/// the call and the path), or the file is larger than any key or
/// configuration file would be.
public enum FileReadError: Error, Equatable, Sendable, CustomStringConvertible {
    case system(SystemError)
    case tooLarge(path: String, limit: Int)

    public var description: String {
        switch self {
        case .system(let error):
            return "cannot read: \(error)"
        case .tooLarge(let path, let limit):
            return "cannot read '\(path)': it is larger than \(limit >> 20) MiB, too large for a key or configuration file; check the path"
        }
    }
}
