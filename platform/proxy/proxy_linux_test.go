package proxy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// TestProxySettingsThisMachine runs the real gsettings and reads a real
// kioslaverc. XDG_CONFIG_HOME points both at an empty directory of the test
// (dconf keeps its database there), so the answer does not depend on
// whoever runs the test.
func TestProxySettingsThisMachine(t *testing.T) {
	if _, err := exec.LookPath("gsettings"); err != nil {
		roottest.Need(t, "gsettings is not installed on this machine")
	}
	cfg := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg, "kioslaverc"), platformtest.ReadFixture(t, "proxy", "kioslaverc-socks.txt"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", cfg)
	s, err := Settings(context.Background(), platform.System)
	if err != nil {
		t.Fatalf("Settings: %v", err)
	}
	want := []string{"GNOME settings none", "KDE kioslaverc manual socks socks5://127.0.0.1:1080"}
	if got := brief(s); !reflect.DeepEqual(got, want) {
		t.Errorf("settings\n got %q\nwant %q", got, want)
	}
}
