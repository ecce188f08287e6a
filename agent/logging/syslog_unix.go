//go:build unix

package logging

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"log/syslog"
	"os"
	"strings"
)

// openSystemLog returns journald when standard error is the journal's
// stream, else the first syslog socket that accepts a connection. When
// there is none it returns why, for the note on standard error.
func openSystemLog(o options) (sink, string) {
	if journalStream(o.stderr, o.getenv) {
		return journalSink{o.stderr}, ""
	}
	var why []string
	for _, p := range o.syslogPaths {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			why = append(why, p+" does not exist")
			continue
		}
		var last error
		// Datagrams first, as log/syslog itself tries them; some daemons
		// listen on a stream socket instead.
		for _, network := range []string{"unixgram", "unix"} {
			w, err := syslog.Dial(network, p, syslog.LOG_DAEMON|syslog.LOG_INFO, Tag)
			if err == nil {
				return syslogSink{w}, ""
			}
			last = err
		}
		why = append(why, fmt.Sprintf("cannot connect to %s: %v", p, last))
	}
	if len(why) == 0 {
		return nil, "this system has no syslog socket"
	}
	return nil, strings.Join(why, "; ")
}

// journalSink writes to journald's stream on standard error, each line
// prefixed with its priority ("<4>…"), which journald strips and records.
type journalSink struct{ w io.Writer }

func (j journalSink) write(level slog.Level, msg string) error {
	_, err := fmt.Fprintf(j.w, "<%d>%s\n", severity(level), msg)
	return err
}

func (journalSink) Close() error { return nil }

// syslogSink writes to the syslog daemon with facility daemon.
type syslogSink struct{ w *syslog.Writer }

func (s syslogSink) write(level slog.Level, msg string) error {
	switch severity(level) {
	case sevErr:
		return s.w.Err(msg)
	case sevWarning:
		return s.w.Warning(msg)
	case sevInfo:
		return s.w.Info(msg)
	default:
		return s.w.Debug(msg)
	}
}

func (s syslogSink) Close() error { return s.w.Close() }
