import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU time (user and system) used, in seconds, from `/proc`: how tests
/// show that idle background threads cost nothing. Per process (a daemon
/// the test started) or per thread of this process by name (other tests
/// run in parallel in this one).
public enum ProcessCPU {
    /// The whole process `pid`.
    public static func seconds(of pid: pid_t) -> Double {
        ticks(inStat: "/proc/\(pid)/stat").map { Double($0) / ticksPerSecond } ?? 0
    }

    /// The threads of this process whose name starts with `prefix`.
    public static func seconds(ofThreadsNamed prefix: String) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var total = 0
        for task in tasks {
            let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            guard name.hasPrefix(prefix) else { continue }
            total += ticks(inStat: "/proc/self/task/\(task)/stat") ?? 0
        }
        return Double(total) / ticksPerSecond
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// utime + stime (fields 14 and 15), counted after the command name's
    /// closing parenthesis (a name may hold spaces).
    private static func ticks(inStat path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3): utime is field 14, stime 15.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
}
