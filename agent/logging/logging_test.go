package logging

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestSeverityOfEachLevel(t *testing.T) {
	for _, c := range []struct {
		level slog.Level
		want  int
	}{
		{slog.LevelDebug - 4, sevDebug},
		{slog.LevelDebug, sevDebug},
		{slog.LevelInfo, sevInfo},
		{slog.LevelInfo + 2, sevInfo},
		{slog.LevelWarn, sevWarning},
		{slog.LevelError, sevErr},
		{slog.LevelError + 4, sevErr},
	} {
		if got := severity(c.level); got != c.want {
			t.Errorf("severity(%v) = %d, want %d", c.level, got, c.want)
		}
	}
}

func TestSplitLevel(t *testing.T) {
	for _, c := range []struct {
		line  string
		level slog.Level
		msg   string
	}{
		{"level=WARN msg=hello", slog.LevelWarn, "msg=hello"},
		{`level=ERROR msg="fix failed" fix=dns-flush`, slog.LevelError, `msg="fix failed" fix=dns-flush`},
		{"level=INFO+2 msg=x", slog.LevelInfo + 2, "msg=x"},
		{"level=DEBUG-4 msg=x", slog.LevelDebug - 4, "msg=x"},
		{"msg=no-level", slog.LevelInfo, "msg=no-level"},
		{"level=LOUD msg=x", slog.LevelInfo, "level=LOUD msg=x"},
	} {
		l, msg := splitLevel(c.line)
		if l != c.level || msg != c.msg {
			t.Errorf("splitLevel(%q) = %v, %q; want %v, %q", c.line, l, msg, c.level, c.msg)
		}
	}
}

// recordingSink keeps what a system log would have received.
type recordingSink struct {
	levels []slog.Level
	msgs   []string
}

func (r *recordingSink) write(l slog.Level, msg string) error {
	r.levels = append(r.levels, l)
	r.msgs = append(r.msgs, msg)
	return nil
}

func (r *recordingSink) Close() error { return nil }

// Attributes added with With and groups reach the sink in the same record,
// and the level filter applies before it.
func TestRecordWriterKeepsAttrsAndFilters(t *testing.T) {
	s := &recordingSink{}
	log := slog.New(slog.NewTextHandler(recordWriter{s}, &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: dropTime}))
	log.Debug("dropped")
	log.With("check", "dns").WithGroup("fix").Warn("flushed", "id", "dns-flush")
	if len(s.msgs) != 1 {
		t.Fatalf("sink got %d records %q, want 1", len(s.msgs), s.msgs)
	}
	if s.levels[0] != slog.LevelWarn || s.msgs[0] != "msg=flushed check=dns fix.id=dns-flush" {
		t.Errorf("sink got %v %q", s.levels[0], s.msgs[0])
	}
}

func TestInteractiveWritesTextToStderr(t *testing.T) {
	var b bytes.Buffer
	log, closeLog := New(false, slog.LevelInfo, &b)
	defer closeLog()
	log.Debug("dropped")
	log.Info("agent started", "socket", "/run/clearance/agent.sock")
	out := b.String()
	if strings.Contains(out, "dropped") || !strings.Contains(out, "level=INFO msg=\"agent started\" socket=/run/clearance/agent.sock") || !strings.HasPrefix(out, "time=") {
		t.Errorf("stderr got %q", out)
	}
}
