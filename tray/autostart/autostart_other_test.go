//go:build !windows && !darwin

package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The package functions honour XDG_CONFIG_HOME and XDG_CONFIG_DIRS.
func TestEnabledFollowsTheEnvironment(t *testing.T) {
	home, sys := t.TempDir(), t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("XDG_CONFIG_DIRS", sys)
	if on, err := Enabled(); err != nil || on {
		t.Fatalf("without the machine-wide entry: %v, %v", on, err)
	}
	writeFile(t, filepath.Join(sys, "autostart", DesktopFile), "[Desktop Entry]\nExec=clearance tray\n")
	if on, err := Enabled(); err != nil || !on {
		t.Fatalf("installed: %v, %v", on, err)
	}
	if err := SetEnabled(false); err != nil {
		t.Fatal(err)
	}
	if on, err := Enabled(); err != nil || on {
		t.Fatalf("after opting out: %v, %v", on, err)
	}
	if !isRegular(filepath.Join(home, "autostart", DesktopFile)) {
		t.Error("the opt-out is not in $XDG_CONFIG_HOME/autostart")
	}
	if err := SetEnabled(true); err != nil {
		t.Fatal(err)
	}
	if on, err := Enabled(); err != nil || !on {
		t.Fatalf("after opting in: %v, %v", on, err)
	}
}

func isRegular(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func TestXDGFromEnv(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/cfg")
	t.Setenv("XDG_CONFIG_DIRS", "/etc/xdg/xdg-ubuntu:relative:/etc/xdg")
	x, err := XDGFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if x.ConfigHome != "/tmp/cfg" || strings.Join(x.ConfigDirs, ":") != "/etc/xdg/xdg-ubuntu:/etc/xdg" {
		t.Errorf("%+v", x)
	}
	if x.UserEntry() != filepath.Join("/tmp/cfg", "autostart", "clearance-tray.desktop") {
		t.Errorf("user entry %s", x.UserEntry())
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_CONFIG_DIRS", "")
	t.Setenv("HOME", "/home/ann")
	if x, err := XDGFromEnv(); err != nil || x.ConfigHome != filepath.Join("/home/ann", ".config") || strings.Join(x.ConfigDirs, ":") != "/etc/xdg" {
		t.Errorf("defaults: %+v, %v", x, err)
	}
}
