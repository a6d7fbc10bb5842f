// Observability: what the daemon counts and how it speaks to a person.
//
// Owns the metrics (counters, histograms, the Prometheus text they render
// to) and the log lines (journald priorities, or one JSON object per line,
// rate-limited where an attacker could flood them).
