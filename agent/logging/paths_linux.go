package logging

// syslogPaths: the socket of syslogd, rsyslog or journald's syslog bridge.
var syslogPaths = []string{"/dev/log"}
