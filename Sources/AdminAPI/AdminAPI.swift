// AdminAPI: the admin listener (loopback, or bearer tokens; see AdminAccess).
//
// Owns its routes, as one table (`AdminRouteTable`), the JSON documents it
// answers with (`LedgerJSON`), health and readiness, the metrics scrape and
// the ledger's gauges. Reads go to the ledger's reading connection; writes
// and actions go through the same writer and steps as the daemon's own
// work; requests that call Alipay wait on a bounded pool, never an event loop.
