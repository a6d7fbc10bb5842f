import Ledger
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// `sink = exec`: runs a command (through `/bin/sh -c`, so it may be a small
/// pipeline) with the event as JSON on stdin and as `ALIPAY_*` environment
/// variables. Exit status 0 means delivered. A command still running at the
/// timeout is killed with its whole process group (SIGTERM, then SIGKILL).
/// The event's values never become part of the command line.
public struct ExecEventSink: EventSink {
    let command: String
    let timeoutMilliseconds: Int

    public init(command: String, timeout: Duration) throws(SinkConfigurationError) {
        guard !command.trimmingCharacters(in: " \t").isEmpty else { throw SinkConfigurationError("the sink command is empty") }
        self.command = command
        self.timeoutMilliseconds = timeout.inMilliseconds
    }

    public var description: String { "exec \(command)" }

    public func deliver(_ event: OutboxEvent, attempt: Int) -> DeliveryResult {
        var environment: [String: String] = [:]
        for name in ["PATH", "HOME", "LANG", "TZ"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        environment["PATH"] = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        environment.merge(event.environment(attempt: attempt)) { $1 }
        let input = Array((event.jsonDocument(attempt: attempt) + "\n").utf8)
        switch ChildProcessRunner.run(["/bin/sh", "-c", command], environment: environment, input: input,
                                      timeoutMilliseconds: timeoutMilliseconds) {
        case .exited(0, _):
            return .delivered
        case .exited(let status, let errorOutput):
            return .failed("the command exited with status \(status)" + (errorOutput.isEmpty ? "" : ": \(errorOutput)"))
        case .signaled(let signal, let errorOutput):
            return .failed("the command was killed by signal \(signal)" + (errorOutput.isEmpty ? "" : ": \(errorOutput)"))
        case .timedOut:
            return .failed("the command did not finish within \(timeoutMilliseconds) ms and was killed")
        case .couldNotStart(let reason):
            return .failed("the command could not start: \(reason)")
        }
    }
}

extension String {
    func trimmingCharacters(in characters: String) -> String {
        String(drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}
