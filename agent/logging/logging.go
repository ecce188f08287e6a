// Package logging builds the agent's logger: the system log when the agent
// runs under the service manager (journald, syslog, the Windows Event Log,
// macOS's unified log through syslog), standard error otherwise, and
// standard error with a note saying why when the system log cannot be
// reached. It must not decide what is logged, only where it goes.
package logging

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
)

// Tag is the name the agent's lines carry in the system log (syslog's tag,
// the Event Log's source).
const Tag = "clearance"

// New returns the logger for a process that runs under the service manager
// (underService) or in a terminal, and a function that releases the system
// log's connection. Records below level are dropped.
func New(underService bool, level slog.Level, stderr io.Writer) (*slog.Logger, func() error) {
	return newLogger(options{
		underService: underService,
		level:        level,
		stderr:       stderr,
		getenv:       os.Getenv,
		syslogPaths:  syslogPaths,
	})
}

// options are New's inputs, with what it reads from the machine made
// replaceable for tests.
type options struct {
	underService bool
	level        slog.Level
	stderr       io.Writer
	getenv       func(string) string
	// syslogPaths are the syslog daemon's sockets, tried in order.
	syslogPaths []string
}

func newLogger(o options) (*slog.Logger, func() error) {
	if !o.underService {
		return slog.New(slog.NewTextHandler(o.stderr, &slog.HandlerOptions{Level: o.level})), noClose
	}
	s, why := openSystemLog(o)
	if s != nil {
		// The system log stamps the time and carries the level as the
		// line's priority, so the text keeps neither.
		h := slog.NewTextHandler(recordWriter{s}, &slog.HandlerOptions{Level: o.level, ReplaceAttr: dropTime})
		return slog.New(h), s.Close
	}
	h := slog.NewTextHandler(o.stderr, &slog.HandlerOptions{Level: o.level})
	// Said whatever the level: without it nobody knows why the system log
	// stays empty.
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "no system log; logging to standard error", 0)
	r.AddAttrs(slog.String("reason", why))
	h.Handle(context.Background(), r)
	return slog.New(h), noClose
}

func noClose() error { return nil }

func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// sink is a system log: it takes one record at a time, formatted, with the
// record's level kept apart so that it becomes the entry's priority.
type sink interface {
	write(level slog.Level, msg string) error
	Close() error
}

// recordWriter turns the text handler's output into sink writes. The
// handler writes each record with one Write, and with the time dropped the
// line starts with "level=…", which is cut off and parsed.
type recordWriter struct{ s sink }

func (w recordWriter) Write(p []byte) (int, error) {
	level, msg := splitLevel(strings.TrimSuffix(string(p), "\n"))
	if err := w.s.write(level, msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

// splitLevel cuts the leading level=… off a formatted record. A line
// without one is passed whole, as information.
func splitLevel(line string) (slog.Level, string) {
	first, rest, _ := strings.Cut(line, " ")
	name, ok := strings.CutPrefix(first, slog.LevelKey+"=")
	var l slog.Level
	if !ok || l.UnmarshalText([]byte(name)) != nil {
		return slog.LevelInfo, line
	}
	return l, rest
}

// Syslog severities (RFC 5424), which journald's stream prefixes use too.
const (
	sevErr     = 3
	sevWarning = 4
	sevInfo    = 6
	sevDebug   = 7
)

// severity maps a slog level to a syslog severity. Levels between slog's
// named ones (INFO+2) take the severity of the named level below them.
func severity(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return sevErr
	case l >= slog.LevelWarn:
		return sevWarning
	case l >= slog.LevelInfo:
		return sevInfo
	default:
		return sevDebug
	}
}
