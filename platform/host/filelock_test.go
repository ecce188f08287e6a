package host_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/clearance-app/clearance/internal/roottest"
	"github.com/clearance-app/clearance/platform/host"
)

// A second taker waits until the first releases the lock.
func TestLockFileExcludes(t *testing.T) {
	path := filepath.Join(roottest.Dir(t), "sub", "fix.lock")
	unlock, err := host.LockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		u, err := host.LockFile(path)
		if err != nil {
			t.Error(err)
		} else {
			u()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("the lock was taken twice at once")
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	select {
	case <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("the lock was never handed over")
	}
}
