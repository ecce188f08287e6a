//go:build unix

package cookies

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oddProfileName holds characters SQLite's URIs give meaning to.
const oddProfileName = "a?b#c%d e&mode=ro"

// checkPrivate checks that a backup's folder (dir) or file is the
// person's alone: 0700 or 0600.
func checkPrivate(t *testing.T, path string, dir bool) {
	t.Helper()
	want := os.FileMode(0o600)
	if dir {
		want = 0o700
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want || fi.IsDir() != dir {
		t.Errorf("%s: %v, %v; want %v", path, err, fi, want)
	}
}

// checkAsksChromiumsLock: Chromium's SingletonLock link names a process
// of another computer; the store asks its browser, which cannot tell, and
// says so.
func checkAsksChromiumsLock(t *testing.T, dataDir string, s Store) {
	t.Helper()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("elsewhere.example-1", filepath.Join(dataDir, "SingletonLock")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Running(); err == nil || !strings.Contains(err.Error(), "another computer") {
		t.Errorf("the store's Running did not ask Chromium's lock: %v", err)
	}
}
