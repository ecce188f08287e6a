//go:build unix

package host_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// The lock's directory is the state directory, where the DNS journal is
// kept: taking the lock makes it root's and 0755 whatever the umask, and
// refuses to make it where others could change it, creating nothing.
func TestLockFileMakesItsDirectoryRoots(t *testing.T) {
	needRootForOwners(t)
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	base := roottest.Dir(t)
	state := filepath.Join(base, "lib", "clearance")
	unlock, err := host.LockFile(filepath.Join(state, "fix.lock"))
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	for _, d := range []string{filepath.Dir(state), state} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: %v %v, want 0755", d, fi.Mode(), err)
		}
	}
	if err := host.CheckRootOwned(state); err != nil {
		t.Errorf("the state directory made: %v", err)
	}

	open := filepath.Join(base, "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777)
	if unlock, err := host.LockFile(filepath.Join(open, "clearance", "fix.lock")); err == nil {
		unlock()
		t.Fatal("a lock was taken in a directory under one that everyone may write")
	} else {
		wantUnsafe(t, err, open, "may be written by anyone", "sudo chmod go-w "+open)
	}
	if _, err := os.Lstat(filepath.Join(open, "clearance")); !os.IsNotExist(err) {
		t.Fatalf("the refused directory was made: %v", err)
	}
}
