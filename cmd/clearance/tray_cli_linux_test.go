package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The machine-wide login entry starts `clearance tray --autostart` for
// everyone; a person who switched "Start at login" off gets no tray, and
// the tray ends before it needs a desktop. Without the opt-out, the same
// command goes on to start (and, with no session bus here, says so).
func TestTrayAutostartOptOut(t *testing.T) {
	home, sys := t.TempDir(), t.TempDir()
	entry := "[Desktop Entry]\nType=Application\nName=Clearance\nExec=clearance tray --autostart\n"
	if err := os.MkdirAll(filepath.Join(sys, "autostart"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sys, "autostart", "clearance-tray.desktop"), []byte(entry), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func() result {
		cmd := clearanceCmd(t, nil, "tray", "--autostart")
		cmd.Env = append(cmd.Env, "XDG_CONFIG_HOME="+home, "XDG_CONFIG_DIRS="+sys, "DBUS_SESSION_BUS_ADDRESS=", "DISPLAY=", "WAYLAND_DISPLAY=")
		return runCmd(t, cmd)
	}

	r := run()
	if r.code == 0 || !strings.Contains(r.stderr, "bus") {
		t.Fatalf("without an opt-out the tray should go on to start and stop at the missing session bus: exit %d\n%s", r.code, r.stderr)
	}

	if err := os.MkdirAll(filepath.Join(home, "autostart"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "autostart", "clearance-tray.desktop"), []byte(entry+"Hidden=true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(); r.code != 0 {
		t.Fatalf("opted out: exit %d, want 0 without starting\n%s", r.code, r.stderr)
	}
}
