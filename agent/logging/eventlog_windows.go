package logging

import (
	"fmt"
	"log/slog"

	"golang.org/x/sys/windows/svc/eventlog"
)

// syslogPaths: Windows has no syslog; the Event Log stands in.
var syslogPaths []string

// Event ids, as kardianos/service's own Event Log logger numbers them.
const (
	eventInfo    = 1
	eventWarning = 2
	eventError   = 3
)

// openSystemLog opens the Application log under the source Tag, which
// `clearance install` registers (kardianos/service's Install calls
// eventlog.InstallAsEventCreate with the service's name).
func openSystemLog(options) (sink, string) {
	l, err := eventlog.Open(Tag)
	if err != nil {
		return nil, fmt.Sprintf("cannot open the Event Log: %v", err)
	}
	return eventSink{l}, ""
}

type eventSink struct{ l *eventlog.Log }

func (e eventSink) write(level slog.Level, msg string) error {
	switch severity(level) {
	case sevErr:
		return e.l.Error(eventError, msg)
	case sevWarning:
		return e.l.Warning(eventWarning, msg)
	default:
		return e.l.Info(eventInfo, msg)
	}
}

func (e eventSink) Close() error { return e.l.Close() }
