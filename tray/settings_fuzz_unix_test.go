//go:build unix

package tray

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzUserDir: user-dirs.dirs, as xdg-user-dirs or the person wrote it. A
// folder found is absolute and clean. XDG's file exists on Unix desktops
// only, and so does the absolute home it is read against.
func FuzzUserDir(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "user-dirs.dirs"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, "XDG_DOWNLOAD_DIR")
	f.Add([]byte(`XDG_DOWNLOAD_DIR="$HOME/My\ \"Files\"/../x"`+"\n"), "XDG_DOWNLOAD_DIR")
	home := filepath.Join(string(filepath.Separator)+"home", "alice")
	f.Fuzz(func(t *testing.T, data []byte, key string) {
		dir, ok := userDir(data, key, home)
		if ok && (!filepath.IsAbs(dir) || filepath.Clean(dir) != dir) {
			t.Fatalf("folder %q", dir)
		}
	})
}
