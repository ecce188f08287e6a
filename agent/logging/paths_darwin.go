package logging

// syslogPaths: syslogd's socket, whose messages land in the unified log.
var syslogPaths = []string{"/var/run/syslog"}
