//go:build !unix && !windows

package logging

var syslogPaths []string

func openSystemLog(options) (sink, string) {
	return nil, "this system has no system log Clearance knows"
}
