#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Every open connection costs a file descriptor, and many systems start
/// processes with a soft limit of 1,024: far below `max-connections`, so a
/// slowloris would exhaust descriptors long before the connection limit
/// protects anything. At start-up the soft limit is raised to the hard one
/// (as nginx's `worker_rlimit_nofile` or Go's runtime do), and a hard limit
/// too small for `max-connections` is reported with the fix.
package enum DescriptorLimit {
    /// Descriptors the daemon needs besides connections: listeners, the
    /// ledger and its WAL, epoll and eventfds, sink sockets and pipes.
    static let reserve = 128

    static func raise(toServe maximumConnections: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let needed = UInt64(maximumConnections + reserve)
        if UInt64(limit.rlim_cur) < needed {
            logger.warning("only \(limit.rlim_cur) file descriptors allowed, but max-connections = \(maximumConnections) needs about \(needed): raise the limit (LimitNOFILE=\(max(65536, needed)) in the unit, or ulimit -n) or lower max-connections; beyond the limit, accepting pauses instead")
        } else {
            logger.debug("file descriptor limit \(limit.rlim_cur)")
        }
    }
}
