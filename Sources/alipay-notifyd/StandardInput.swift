#if canImport(Glibc)
import Glibc
#endif

/// Reading what a person pipes in.
enum StandardInput {
    /// All of standard input.
    static func readAll() -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return result }
            result.append(contentsOf: buffer[0..<count])
        }
    }

    /// Without trailing CR/LF: a real notification body never ends in a raw
    /// newline, but `echo` and editors add one.
    static func readBody() -> [UInt8] {
        var bytes = readAll()
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes
    }

    static var isTerminalOutput: Bool { isatty(1) == 1 }
}

/// Printing to standard error, for messages that are not the command's output.
enum StandardError {
    static func print(_ text: String) {
        var line = text + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
