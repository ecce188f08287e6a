package tray

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/internal/winegap"
)

// The details page goes where every browser can read it: the Clearance
// folder of the download directory that xdg-user-dirs names, never a
// hidden one.
func TestXDGDetailsDir(t *testing.T) {
	home := filepath.Join(winegap.TempDir(t), "ann") // absolute on every OS
	srv := filepath.Join(winegap.TempDir(t), "srv")
	recorded, err := os.ReadFile(filepath.Join("testdata", "user-dirs.dirs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, userDirs, want string
	}{
		{"as xdg-user-dirs-update writes it", string(recorded), "~/Downloads/Clearance"},
		{"no file", "", "~/Downloads/Clearance"},
		{"a localized name", `XDG_DOWNLOAD_DIR="$HOME/Téléchargements"` + "\n", "~/Téléchargements/Clearance"},
		{"escaped", `XDG_DOWNLOAD_DIR="$HOME/My \"Files\""` + "\n", `~/My "Files"/Clearance`},
		{"an absolute path", `XDG_DOWNLOAD_DIR="` + filepath.ToSlash(srv) + `/dl"` + "\n", filepath.ToSlash(srv) + "/dl/Clearance"},
		{"switched off: the home itself", `XDG_DOWNLOAD_DIR="$HOME/"` + "\n", "~/Clearance"},
		{"the last line counts", "XDG_DOWNLOAD_DIR=\"$HOME/a\"\nXDG_DOWNLOAD_DIR=\"$HOME/b\"\n", "~/b/Clearance"},
		{"hidden: a snap could not read it", `XDG_DOWNLOAD_DIR="$HOME/.downloads"`, "~/Downloads/Clearance"},
		{"hidden deeper", `XDG_DOWNLOAD_DIR="$HOME/data/.dl"`, "~/Downloads/Clearance"},
		{"relative: not a format xdg-user-dirs writes", `XDG_DOWNLOAD_DIR="Downloads"`, "~/Downloads/Clearance"},
		{"unquoted", `XDG_DOWNLOAD_DIR=$HOME/x`, "~/Downloads/Clearance"},
		{"commented out", `# XDG_DOWNLOAD_DIR="$HOME/x"`, "~/Downloads/Clearance"},
		{"another directory only", `XDG_DESKTOP_DIR="$HOME/x"`, "~/Downloads/Clearance"},
	} {
		want := filepath.FromSlash(strings.Replace(c.want, "~", filepath.ToSlash(home), 1))
		if got := xdgDetailsDir(home, []byte(c.userDirs)); got != want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
