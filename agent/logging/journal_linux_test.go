package logging

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// devIno is what systemd would put in JOURNAL_STREAM for f.
func devIno(t *testing.T, f *os.File) string {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

// When standard error is the journal's stream, lines go there with their
// priority as a "<N>" prefix and no time (journald adds both), and syslog
// is not used.
func TestServiceUsesJournalStream(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stream"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{"JOURNAL_STREAM": devIno(t, f)}
	log, closeLog := newLogger(options{
		underService: true, level: slog.LevelDebug, stderr: f,
		getenv: func(k string) string { return env[k] }, syslogPaths: []string{"/nonexistent/log"},
	})
	defer closeLog()
	log.Debug("probe", "host", "chatgpt.com")
	log.Error("fix failed")
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	want := "<7>msg=probe host=chatgpt.com\n<3>msg=\"fix failed\"\n"
	if string(b) != want {
		t.Errorf("journal stream got %q, want %q", b, want)
	}
}

// JOURNAL_STREAM naming another file (inherited by a child whose stderr is
// elsewhere) is not the journal.
func TestJournalStreamMustBeStderr(t *testing.T) {
	dir := t.TempDir()
	a, err := os.Create(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := os.Create(filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	getenv := func(string) string { return devIno(t, a) }
	if journalStream(b, getenv) {
		t.Error("stderr b taken for the journal stream of a")
	}
	if !journalStream(a, getenv) {
		t.Error("stderr a not taken for its own journal stream")
	}
	if journalStream(&strings.Builder{}, getenv) {
		t.Error("a non-file taken for the journal stream")
	}
}
