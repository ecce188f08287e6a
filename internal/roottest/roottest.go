// Package roottest gives tests, run as root, directories that only root
// can change, with every directory above them: what Clearance asks of a
// file it reads with full rights (host.CheckRootOwned), and what
// nothing under /tmp can be, since everyone may write /tmp. It is for
// tests only.
package roottest

import (
	"os"
	"path/filepath"
	"testing"
)

// parents are tried in order; each is root's and 0755 on the usual Linux
// system (/run is a tmpfs: what a killed test leaves goes at reboot).
var parents = []string{"/run", "/var/cache", "/var/lib"}

// Dir returns a new empty directory, 0755, in which only root can change
// anything, removed when the test ends. A test that is not run as root
// gets t.TempDir(): nothing it does then needs more.
func Dir(t testing.TB) string {
	t.Helper()
	if os.Geteuid() != 0 {
		return t.TempDir()
	}
	for _, p := range parents {
		if !rootsAlone(p) {
			continue
		}
		d, err := os.MkdirTemp(p, "clearance-test-")
		if err != nil {
			continue
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	t.Fatalf("none of %v is a directory only root can change, to make test files in", parents)
	return ""
}

// rootsAlone says whether root owns dir and every directory above it and
// nobody else may write them (no links are expected on the way).
func rootsAlone(dir string) bool {
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Lstat(p)
		if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o022 != 0 {
			return false
		}
		if !ownedByRoot(fi) {
			return false
		}
		if p == filepath.Dir(p) {
			return true
		}
	}
}
