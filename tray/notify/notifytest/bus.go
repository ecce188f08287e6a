// Package notifytest runs what tests of desktop alerts need on Linux: a
// private D-Bus session bus (StartBus) and a notification server on it
// (Start) that records every Notify call and emits the clicks a test asks
// for. Tests of package notify and of the tray use it; it never touches
// the user's own session bus.
//
// Typical use:
//
//	notifytest.StartBus(t)            // sets DBUS_SESSION_BUS_ADDRESS for this test
//	srv := notifytest.Start(t)        // owns org.freedesktop.Notifications
//	id := … the code under test sends an alert …
//	call := srv.WaitCall(t)           // what it sent: summary, actions, hints
//	srv.EmitAction(t, call.ID, "fix") // a person presses the "fix" button
//
// Both register their own cleanup. StartBus uses t.Setenv, so such tests
// cannot run in parallel.
package notifytest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/internal/testbuf"
)

// Deadline bounds every wait in this package: generous, since a loaded CI
// machine can be slow, and only reached when something is broken.
const Deadline = 20 * time.Second

// busConfig is a session bus without service activation, so that nothing
// installed on the machine (a real notification daemon) is started on the
// test's bus, and with every name and message allowed.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// StartBus starts a private dbus-daemon for this test, points
// DBUS_SESSION_BUS_ADDRESS at it (t.Setenv) and returns its address. The
// daemon is killed, by its pid, when the test ends. Without dbus-daemon
// (Debian package dbus-daemon) the test is skipped, or fails when
// CI=true.
func StartBus(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		roottest.Need(t, "dbus-daemon is not installed (Debian package dbus-daemon)")
	}
	// A short directory of its own: a Unix socket path is limited to 108
	// bytes, and t.TempDir's names grow with the test's name.
	dir, err := os.MkdirTemp("", "nt-bus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(busConfig, filepath.Join(dir, "bus"))), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+conf, "--nofork", "--print-address=1")
	var stderr testbuf.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill()
		}
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	var addr string
	select {
	case addr = <-line:
	case <-time.After(Deadline):
		t.Fatalf("dbus-daemon printed no address within %v; stderr: %s", Deadline, stderr.String())
	}
	if addr == "" {
		t.Fatalf("dbus-daemon exited without an address; stderr: %s", stderr.String())
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return addr
}
