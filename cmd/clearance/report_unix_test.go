//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform"
)

// wantPrivate fails unless the file at p is mode 0600.
func wantPrivate(t *testing.T, p string) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s is mode %v, want 0600", p, fi.Mode().Perm())
	}
}

// The service's log is read with full rights in a directory others may
// write (/var/log is group syslog's, 0775, on Ubuntu): a link planted at
// the log's path is refused and its target never read, a file someone
// else made there is left out, a FIFO does not hang the read. Needs root,
// to make files that are root's and others' (mandatory in CI).
func TestReportLogRefusesPlanted(t *testing.T) {
	roottest.NeedRoot(t, "to make a log that is root's next to files of uid 65534's")
	dir := t.TempDir()
	os.Chmod(dir, 0o775)
	secret := filepath.Join(dir, "shadow")
	if err := os.WriteFile(secret, []byte("root:$6$SECRET-HASH:19000::::::\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The link, as a member of the directory's group would make it.
	link := filepath.Join(dir, "clearance.log")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	os.Lchown(link, 65534, 65534)
	got, err := tailFile(link, logLines, logTailBytes)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") || strings.Contains(string(got), "SECRET") {
		t.Errorf("through a link to %s: %q, %v; want it refused", secret, got, err)
	}

	theirs := filepath.Join(dir, "clearance.err")
	os.WriteFile(theirs, []byte("a line the service never wrote\n"), 0o644)
	os.Chown(theirs, 65534, 65534)
	if got, err := tailFile(theirs, logLines, logTailBytes); err == nil || !strings.Contains(err.Error(), "does not belong to root") {
		t.Errorf("a file of uid 65534's: %q, %v; want it left out", got, err)
	}

	fifo := filepath.Join(dir, "fifo.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := tailFile(fifo, logLines, logTailBytes)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("a FIFO: %v; want it refused", err)
		}
	case <-time.After(60 * time.Second):
		// Let the read end, so that the test does.
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("reading a FIFO planted at the log's path hung")
	}

	// The service's own file is read.
	own := filepath.Join(dir, "own.log")
	os.WriteFile(own, []byte("one\ntwo\n"), 0o600)
	if got, err := tailFile(own, logLines, logTailBytes); err != nil || string(got) != "one\ntwo\n" {
		t.Errorf("root's log: %q, %v", got, err)
	}
}

// The log's reader goes through the system's command runner: its argv is
// logged, a failure is an error with its exit status, and a refusal said
// on a failure is the caller's lack of rights.
func TestReportLogReaderRunner(t *testing.T) {
	var logged bytes.Buffer
	defer func(r platform.Runner) { logRunner = r }(logRunner)
	logRunner = platform.ExecRunner{Timeout: 30 * time.Second, Log: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	ctx := context.Background()

	out, denied, err := runLogCommand(ctx, []string{"sh", "-c", "for i in $(seq 1 600); do echo line $i; done"})
	if err != nil || denied || !strings.HasPrefix(string(out), "line 101\n") || !strings.HasSuffix(string(out), "line 600\n") {
		t.Errorf("600 lines: denied %v, %v, %d bytes from %.20q", denied, err, len(out), out)
	}
	if !strings.Contains(logged.String(), "argv=\"[sh -c for i in") {
		t.Errorf("the argv was not logged: %s", logged.String())
	}

	_, denied, err = runLogCommand(ctx, []string{"sh", "-c", "echo 'No journal files were opened due to insufficient permissions.' >&2; exit 1"})
	if !denied || err == nil || !strings.Contains(err.Error(), "only an administrator") {
		t.Errorf("a refusal: denied %v, %v", denied, err)
	}

	out, denied, err = runLogCommand(ctx, []string{"sh", "-c", "echo half; echo broken >&2; exit 3"})
	if ee := (*platform.ExitError)(nil); !errors.As(err, &ee) || ee.Code != 3 || denied || out != nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("exit 3: %q, denied %v, %v", out, denied, err)
	}
}
