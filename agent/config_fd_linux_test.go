package agent

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
)

// A configuration file that cannot be opened because the process is out of
// file descriptors (a flood of connections once did that) is not a bad
// file: the agent keeps its values and raises no config-invalid. The
// shortage is real: the test lowers its own descriptor limit to what is
// open and fills the gaps below it.
func TestConfigUnreadableForWantOfDescriptorsIsNoFinding(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("[check]\ndeadline = \"7s\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	load := func() (config.Config, error) { return config.Load(config.Source{Path: path, Explicit: true}) }
	opts := testOptions(t)
	opts.Config = load
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	var got config.Config
	var loadErr error
	withoutDescriptors(t, func() {
		_, loadErr = load()
		got = a.reloadConfig()
	})
	if !errors.Is(loadErr, syscall.EMFILE) {
		t.Fatalf("the test did not run the process out of descriptors: loading gave %v", loadErr)
	}
	if got.Check.Deadline.D() != 7*time.Second {
		t.Fatalf("the agent went on with a deadline of %v, not the file's last good 7s", got.Check.Deadline.D())
	}
	if _, err := a.config(); err != nil {
		t.Fatalf("a shortage of descriptors was taken for a bad file: %v", err)
	}
	for _, f := range a.ownFindings(t.Context()) {
		if f.Code == finding.ConfigInvalid.Code {
			t.Fatalf("config-invalid raised: %v", f.Evidence)
		}
	}
	// A bad file is still one.
	os.WriteFile(path, []byte("[agent]\nintervall = \"1m\"\n"), 0o644)
	a.reloadConfig()
	if _, err := a.config(); err == nil {
		t.Fatal("a bad file was not refused after the shortage")
	}
}

// withoutDescriptors runs fn while this process can open no file: its soft
// limit on descriptors is lowered to just above the highest one open, and
// the free numbers below are taken. Nothing else runs in the test binary
// meanwhile (no test here runs in parallel).
func withoutDescriptors(t *testing.T, fn func()) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	highest := 0
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil && n > highest {
			highest = n
		}
	}
	lim := old
	lim.Cur = uint64(highest + 1)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	var held []int
	for {
		fd, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			if !errors.Is(err, syscall.EMFILE) {
				t.Errorf("filling the descriptor table: %v", err)
			}
			break
		}
		held = append(held, fd)
	}
	fn()
	for _, fd := range held {
		syscall.Close(fd)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
}
