//go:build unix

package logging

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A real syslog socket in a temporary directory receives each record as
// one datagram, with facility daemon and the record's severity as its
// priority, tagged clearance with the pid, and no time or level in the text.
func TestServiceLogsToSyslogSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	pc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()

	var stderr bytes.Buffer
	log, closeLog := newLogger(options{
		underService: true, level: slog.LevelInfo, stderr: &stderr,
		getenv: func(string) string { return "" }, syslogPaths: []string{filepath.Join(t.TempDir(), "missing"), sock},
	})
	defer closeLog()
	log.Debug("below the level")
	log.Info("agent started", "socket", "/run/clearance/agent.sock")
	log.Warn("config invalid", "key", "probe.hosts")
	log.Error("fix failed", "fix", "dns-flush")

	// Facility daemon is 3: priority = 3*8 + severity.
	want := []struct{ prio, text string }{
		{"<30>", `msg="agent started" socket=/run/clearance/agent.sock`},
		{"<28>", `msg="config invalid" key=probe.hosts`},
		{"<27>", `msg="fix failed" fix=dns-flush`},
	}
	tag := regexp.MustCompile(`^<\d+>\w{3} [ \d]\d \d\d:\d\d:\d\d clearance\[(\d+)\]: (.*)\n?$`)
	buf := make([]byte, 4096)
	for _, w := range want {
		pc.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := pc.Read(buf)
		if err != nil {
			t.Fatalf("waiting for %q: %v", w.text, err)
		}
		got := string(buf[:n])
		m := tag.FindStringSubmatch(got)
		if !strings.HasPrefix(got, w.prio) || m == nil || m[2] != w.text {
			t.Errorf("datagram %q, want priority %s and text %q", got, w.prio, w.text)
		}
		if m != nil && m[1] != strconv.Itoa(os.Getpid()) {
			t.Errorf("datagram names pid %s, want %d", m[1], os.Getpid())
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr got %q while syslog was there", stderr.String())
	}
}

// Without a syslog socket the service logs to standard error, with the
// time, after a note that says why — whatever the level.
func TestServiceFallsBackToStderrSayingWhy(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "log")
	var stderr bytes.Buffer
	log, closeLog := newLogger(options{
		underService: true, level: slog.LevelWarn, stderr: &stderr,
		getenv: func(string) string { return "" }, syslogPaths: []string{missing},
	})
	defer closeLog()
	log.Info("below the level")
	log.Warn("config invalid")
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("stderr got %q, want the note and one record", stderr.String())
	}
	if !strings.Contains(lines[0], `msg="no system log; logging to standard error" reason="`+missing+` does not exist"`) {
		t.Errorf("note is %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "time=") || !strings.Contains(lines[1], `level=WARN msg="config invalid"`) {
		t.Errorf("record is %q", lines[1])
	}
}

// A path that exists but is no socket is named with the reason.
func TestServiceFallbackNamesUnreachableSocket(t *testing.T) {
	notSock := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(notSock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	_, closeLog := newLogger(options{
		underService: true, level: slog.LevelInfo, stderr: &stderr,
		getenv: func(string) string { return "" }, syslogPaths: []string{notSock},
	})
	defer closeLog()
	if !strings.Contains(stderr.String(), "cannot connect to "+notSock) {
		t.Errorf("stderr got %q", stderr.String())
	}
}
