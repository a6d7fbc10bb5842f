import Foundation

/// Runs a program to completion and returns what it printed: for curl, the
/// daemon's own CLI commands, sqlite3 and shell scripts in tests.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum ChildProcess {
    /// Runs `executable` with `arguments`, feeding `input` on stdin. Kills it
    /// after `timeout` seconds (the test then fails on its status).
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], input: [UInt8]? = nil,
                           environment: [String: String]? = nil, timeout: Double = 60) throws -> ProcessResult {
        let process = try SpawnedProcess([executable] + arguments, environment: environment ?? [:], input: true)
        let collector = OutputCollector(stdout: process.standardOutput!, stderr: process.standardError!)
        // A child that exits without reading its input is not an error here.
        if let input { try? process.standardInput!.write(contentsOf: Data(input)) }
        try? process.standardInput!.close()
        if !process.wait(seconds: timeout) {
            kill(process.processIdentifier, SIGTERM)
            process.waitOrKill(seconds: 0.1)
        }
        let status = process.terminationStatus
        let (out, err) = collector.finish()
        return ProcessResult(status: status, stdout: out, stderr: err)
    }
}

/// Drains both pipes on background threads so a chatty child never blocks
/// on a full pipe.
final class OutputCollector: @unchecked Sendable {
    private var stdoutData = Data()
    private var stderrData = Data()
    private let group = DispatchGroup()

    init(stdout: FileHandle, stderr: FileHandle) {
        group.enter()
        Thread.detachNewThread {
            self.stdoutData = stdout.readDataToEndOfFile()
            self.group.leave()
        }
        group.enter()
        Thread.detachNewThread {
            self.stderrData = stderr.readDataToEndOfFile()
            self.group.leave()
        }
    }

    func finish() -> (String, String) {
        group.wait()
        return (String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrData, as: UTF8.self))
    }
}
