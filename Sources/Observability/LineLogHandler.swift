import AlipayNotify
import Ledger
import Logging
import CLinux
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
import Locking
#endif

/// A swift-log handler that writes one line per event to standard error, in
/// a form `journalctl` shows well: under systemd (`JOURNAL_STREAM` set) each
/// line starts with a `<N>` syslog priority and no timestamp (the journal
/// adds its own); on a terminal it starts with a UTC timestamp. `key=value`
/// metadata follow the message. `json` writes one JSON object per line.
public struct LineLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        case text
        case json
    }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: Format
    private let journald: Bool
    private let output: LineOutput

    public init(label: String, level: Logger.Level, format: Format = .text, output: LineOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.journald = getenv("JOURNAL_STREAM") != nil
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        // Formatting and writing happen on the log thread; the caller (often
        // an event loop between two requests) only hands the event over.
        output.enqueue(LogRecord(time: Timestamp.now(), level: event.level, message: "\(event.message)",
                                 metadata: merged, label: label, format: format, journald: journald))
    }

    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// Values with spaces, quotes, `=` or control bytes are quoted, so a line
    /// splits unambiguously and cannot be broken by a value.
    static func appendQuoted(_ value: String, to output: inout [UInt8]) {
        let plain = !value.isEmpty && !value.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 == 0x7F }
        if plain {
            output.append(contentsOf: value.utf8)
        } else {
            output.append(contentsOf: JSONText.string(value).utf8)
        }
    }
}

/// One log event, waiting to be formatted on the log thread.
package struct LogRecord: Sendable {
    let time: String
    let level: Logger.Level
    let message: String
    let metadata: Logger.Metadata
    let label: String
    let format: LineLogHandler.Format
    let journald: Bool

    /// Appends the formatted line to `output` (bytes, no temporary strings).
    func append(to output: inout [UInt8]) {
        let keys = metadata.keys.sorted()
        switch format {
        case .text:
            if journald {
                output.append(contentsOf: "<\(LineLogHandler.syslogPriority(level))>".utf8)
            } else {
                output.append(contentsOf: time.utf8)
                output.append(UInt8(ascii: " "))
            }
            let levelName = level.rawValue
            output.append(contentsOf: levelName.utf8)
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(1, 9 - levelName.utf8.count)))
            output.append(contentsOf: message.utf8)
            for key in keys {
                output.append(UInt8(ascii: " "))
                output.append(contentsOf: key.utf8)
                output.append(UInt8(ascii: "="))
                LineLogHandler.appendQuoted(metadata[key]!.description, to: &output)
            }
        case .json:
            output.append(contentsOf: "{\"time\":\"\(time)\",\"level\":\"\(level.rawValue)\",\"logger\":".utf8)
            output.append(contentsOf: JSONText.string(label).utf8)
            output.append(contentsOf: ",\"message\":".utf8)
            output.append(contentsOf: JSONText.string(message).utf8)
            for key in keys {
                output.append(UInt8(ascii: ","))
                output.append(contentsOf: JSONText.string(key).utf8)
                output.append(UInt8(ascii: ":"))
                output.append(contentsOf: JSONText.string(metadata[key]!.description).utf8)
            }
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "\n"))
    }
}

/// Where log lines go: a thread of its own formats queued events and writes
/// them in as few write(2) calls as it can, so that logging costs a request
/// thread only a queue append. Lines keep their order. If the reader of the
/// log (journald, a pipe) stalls, at most `capacity` events wait and the
/// rest are counted and reported as dropped, never blocking a request.
public final class LineOutput: Sendable {
    public static let standardError = LineOutput(fd: 2)

    private let fd: Int32
    private let capacity = 20_000
    private let state = Locked<(queue: [LogRecord], dropped: Int, writing: Bool)>(([], 0, false))
    private let wake = DispatchSemaphore(value: 0)

    init(fd: Int32) {
        self.fd = fd
        let thread = Thread { [self] in self.run() }
        thread.name = "log-writer"
        thread.start()
    }

    func enqueue(_ record: LogRecord) {
        let signal = state.withLock { state -> Bool in
            guard state.queue.count < capacity else {
                state.dropped += 1
                return false
            }
            state.queue.append(record)
            return state.queue.count == 1
        }
        if signal { wake.signal() }
    }

    /// Waits until every event queued so far is written (at exit).
    public func flush() {
        for _ in 0..<500 {
            let idle = state.withLock { $0.queue.isEmpty && !$0.writing }
            if idle { return }
            usleep(2000)
        }
    }

    private func run() {
        notifyd_set_thread_name("log-writer")
        while true {
            wake.wait()
            // Gather what arrives in the next 2 ms: one write and one wake-up
            // for many lines instead of one each.
            usleep(2_000)
            while true {
                let (records, dropped) = state.withLock { state -> ([LogRecord], Int) in
                    let taken = (state.queue, state.dropped)
                    state.queue.removeAll(keepingCapacity: true)
                    state.dropped = 0
                    state.writing = !taken.0.isEmpty
                    return taken
                }
                if records.isEmpty && dropped == 0 { break }
                var bytes: [UInt8] = []
                bytes.reserveCapacity(records.count * 200)
                if dropped > 0 {
                    bytes.append(contentsOf: "\(Timestamp.now()) warning  \(dropped) log lines were dropped: the log output could not keep up\n".utf8)
                }
                for record in records { record.append(to: &bytes) }
                write(bytes)
                state.withLock { $0.writing = false }
            }
        }
    }

    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return } // nowhere to log to; never block or crash for it
                offset += written
            }
        }
    }
}
