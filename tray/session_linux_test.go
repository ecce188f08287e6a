package tray

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/internal/testbuf"
)

// runChild runs the tray child to its end and returns its exit status and
// standard error.
func runChild(t *testing.T, env ...string) (int, string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"=1", "TRAY_SOCKET=/nonexistent/agent.sock"), env...)
	var stderr testbuf.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(patience):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the tray did not exit; stderr:\n%s", stderr.String())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

// One tray per session: a second one says so and exits 0.
func TestTraySecondInstance(t *testing.T) {
	r := newRig(t, rigOptions{state: stateWith(at(5))})
	r.waitMenu("the first tray", func(m menuNode) bool { return m.has("Quit") })
	code, stderr := runChild(t, "TRAY_SETTINGS="+r.dir+"/second.toml")
	if code != 0 || !strings.Contains(stderr, "already running") {
		t.Fatalf("second tray: exit %d, stderr:\n%s", code, stderr)
	}
	// The first is unharmed, and quits when asked.
	r.click("Quit")
	select {
	case <-r.tray.exited:
		if code := r.tray.cmd.ProcessState.ExitCode(); code != 0 && !onlySystrayRaces(code, r.tray.stderr.String()) {
			t.Fatalf("quit with exit status %d", code)
		}
	case <-time.After(patience):
		t.Fatal("the tray did not quit")
	}
}

// Without a session bus the tray says why and fails before the systray
// library (which would panic) is started.
func TestTrayWithoutSessionBus(t *testing.T) {
	dir := t.TempDir()
	code, stderr := runChild(t, "DBUS_SESSION_BUS_ADDRESS=unix:path="+dir+"/no-bus", "TRAY_SETTINGS="+dir+"/tray.toml")
	if code == 0 || !strings.Contains(stderr, "no desktop session bus") || strings.Contains(stderr, "panic") {
		t.Fatalf("unreachable bus: exit %d, stderr:\n%s", code, stderr)
	}
	// Unset, and nothing to discover at /run/user/UID/bus: the same,
	// and no bus is started for it (no dbus-launch).
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
		t.Skip("this user has a session bus at /run/user/UID/bus, which godbus finds by itself")
	}
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, kv)
		}
	}
	self, _ := os.Executable()
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(env, childEnv+"=1", "TRAY_SOCKET=/nonexistent/agent.sock", "TRAY_SETTINGS="+dir+"/tray.toml")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !strings.Contains(string(out), "no desktop session bus") {
		t.Fatalf("no address: %v\n%s", err, out)
	}
}

// Without a tray host the tray keeps running and alerts still come; when a
// host appears, the icon registers with it.
func TestTrayWithoutTrayHost(t *testing.T) {
	r := newRig(t, rigOptions{state: stateWith(at(5), findingOf("dns-failure", finding.Critical, nil)), noWatcher: true})
	if c := r.waitNote("OpenAI's names do not resolve"); c.ID == 0 {
		t.Fatal("no alert without a tray host")
	}
	r.waitMenu("the menu, served all the same", func(m menuNode) bool { return m.has("OpenAI's names do not resolve") })
	w := startWatcher(t, r.addr)
	select {
	case <-w.registered:
	case <-time.After(patience):
		t.Fatal("the icon did not register with the host that appeared")
	}
}

// onlySystrayRaces reports whether a child built with -race exited with the
// race detector's status (66) only for races inside fyne.io/systray (its
// GetLayout reads the menu revision under another lock than refresh writes
// it), which this package cannot fix. Any race report that names this
// project's code still fails the test.
func onlySystrayRaces(code int, log string) bool {
	if code != 66 {
		return false
	}
	blocks := strings.Split(log, "WARNING: DATA RACE")[1:]
	for _, b := range blocks {
		b, _, _ = strings.Cut(b, "==================")
		if strings.Contains(b, "clearance-app/clearance") || !strings.Contains(b, "fyne.io/systray") {
			return false
		}
	}
	return len(blocks) > 0
}
