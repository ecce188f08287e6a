//go:build !windows && !darwin

package autostart

import (
	"os"
	"path/filepath"
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
