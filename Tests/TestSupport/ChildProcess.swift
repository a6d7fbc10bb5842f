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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        if let environment { process.environment = environment }
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        let stdinPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = stdinPipe
        try process.run()
        let collector = OutputCollector(stdout: stdoutPipe, stderr: stderrPipe)
        if let input { stdinPipe.fileHandleForWriting.write(Data(input)) }
        try? stdinPipe.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2000) }
        if process.isRunning {
            process.terminate()
            usleep(100_000)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        let (out, err) = collector.finish()
        return ProcessResult(status: process.terminationStatus, stdout: out, stderr: err)
    }
}

/// Drains both pipes on background threads so a chatty child never blocks
/// on a full pipe.
final class OutputCollector: @unchecked Sendable {
    private var stdoutData = Data()
    private var stderrData = Data()
    private let group = DispatchGroup()

    init(stdout: Pipe, stderr: Pipe) {
        group.enter()
        DispatchQueue.global().async {
            self.stdoutData = stdout.fileHandleForReading.readDataToEndOfFile()
            self.group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            self.stderrData = stderr.fileHandleForReading.readDataToEndOfFile()
            self.group.leave()
        }
    }

    func finish() -> (String, String) {
        group.wait()
        return (String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrData, as: UTF8.self))
    }
}
