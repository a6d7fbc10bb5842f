// Workers: threads for background work.
//
// Owns `ClaimingWorkers`, the one loop for work that the ledger says is due
// and that several daemons take turns at through claims with leases (the
// outbox, the reconciler, the refunder), its pure `ClaimSchedule`, and
// `BoundedWorkPool` for blocking work a request starts.
