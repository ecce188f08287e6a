package cookies

import (
	"os"
	"path/filepath"
	"testing"
)

// oddProfileName holds characters SQLite's URIs give meaning to, but no
// '?', which Windows does not allow in a name.
const oddProfileName = "a#b%c d&mode=ro"

// checkPrivate checks that a backup's folder (dir) or file is there.
// Windows has no mode bits (Go reports 0777 and 0666): a backup is the
// person's alone by the access list of their profile folder, which the
// backup inherits and the code leaves as it is.
func checkPrivate(t *testing.T, path string, dir bool) {
	t.Helper()
	if fi, err := os.Stat(path); err != nil || fi.IsDir() != dir {
		t.Errorf("%s: %v, %v; want a folder: %v", path, err, fi, dir)
	}
}

// checkAsksChromiumsLock: Chromium holds its lockfile open while it runs;
// the store asks its browser, which finds it held.
func checkAsksChromiumsLock(t *testing.T, dataDir string, s Store) {
	t.Helper()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dataDir, "lockfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if running, _, err := s.Running(); !running || err != nil {
		t.Errorf("the store's Running did not ask Chromium's lockfile: %v, %v", running, err)
	}
}
