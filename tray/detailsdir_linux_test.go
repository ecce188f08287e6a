package tray

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
)

// userDir reads user-dirs.dirs as xdg-user-dir(1), which sources it with
// the shell, does: the program itself is the reference.
func TestUserDirAgreesWithXDGUserDir(t *testing.T) {
	bin, err := exec.LookPath("xdg-user-dir")
	if err != nil {
		roottest.Need(t, "xdg-user-dir is not installed (Debian package xdg-user-dirs)")
	}
	home := t.TempDir()
	config := filepath.Join(home, "config")
	if err := os.MkdirAll(config, 0o700); err != nil {
		t.Fatal(err)
	}
	recorded, err := os.ReadFile(filepath.Join("testdata", "user-dirs.dirs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{
		string(recorded),
		`XDG_DOWNLOAD_DIR="$HOME/Téléchargements"` + "\n",
		`XDG_DOWNLOAD_DIR="$HOME/My \"Files\""` + "\n",
		`XDG_DOWNLOAD_DIR="$HOME/"` + "\n",
		`XDG_DOWNLOAD_DIR="/srv/dl"` + "\n",
		"XDG_DOWNLOAD_DIR=\"$HOME/a\"\nXDG_DOWNLOAD_DIR=\"$HOME/b\"\n",
	} {
		if err := os.WriteFile(filepath.Join(config, "user-dirs.dirs"), []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "DOWNLOAD")
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+config)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("xdg-user-dir: %v", err)
		}
		want := filepath.Clean(strings.TrimSuffix(string(out), "\n"))
		if got, ok := userDir([]byte(file), "XDG_DOWNLOAD_DIR", home); !ok || got != want {
			t.Errorf("%q: userDir says %q (%v), xdg-user-dir %q", file, got, ok, want)
		}
	}
}
