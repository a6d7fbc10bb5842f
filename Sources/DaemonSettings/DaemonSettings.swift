// DaemonSettings: what the daemon is told.
//
// Owns every setting, declared once (`Setting.all`), and everything derived
// from that declaration: the config file's parser (errors name the file,
// the line and the fix), the command-line flags, `--help`, `check-config`,
// `settings --markdown` (the README's table); and `DaemonConfiguration`, the
// checked result.
