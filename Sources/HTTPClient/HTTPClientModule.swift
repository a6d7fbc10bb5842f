// HTTPClient: the daemon's one way to speak HTTP to others, over libcurl.
//
// Owns the pool of libcurl handles (each keeps its connection; TLS sessions
// and the DNS cache shared), the URL policy (checked by libcurl's own
// parser), and the classification of failures. Callers lay their own rules
// on top: the gateway transport, the outbox's sink, the sandbox.
