//go:build !linux && !darwin && !windows

package installer

// logCommand: the agent logs to syslog, whose files vary; the service's
// own files are listed by serviceLogFiles.
func logCommand(_, _ string) []string { return nil }
