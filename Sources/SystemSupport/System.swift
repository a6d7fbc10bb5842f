#if canImport(Glibc)
import Glibc
#endif

/// Facts about the machine the daemon runs on.
public enum System {
    /// Cores available to this process.
    public static var activeProcessorCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
