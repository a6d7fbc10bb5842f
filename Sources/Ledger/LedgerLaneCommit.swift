/// Work committed and owed a barrier, as the machine counts it: the
/// submissions one commit held (0 for other work), for the moving average.
protocol LedgerLaneCommit {
    var submissions: Int { get }
}
