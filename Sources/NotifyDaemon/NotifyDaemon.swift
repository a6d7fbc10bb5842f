// NotifyDaemon: the daemon's wiring.
//
// Owns the notification pipeline (`NotificationEndpoint`, `NotifyAnswer`),
// the daemon's lifecycle (start in order, stop in reverse), signals and
// reloads, systemd (readiness, the watchdog, socket activation), opening the
// ledger's writer and reader, and building the active side's steps from a
// configuration for the daemon and the commands alike.
