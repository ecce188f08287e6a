//go:build unix && !linux && !darwin

package logging

// syslogPaths: where the BSDs and others keep syslogd's socket.
var syslogPaths = []string{"/var/run/log", "/dev/log"}
