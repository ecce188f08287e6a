package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform/host"
)

// The fix lock keeps two processes (the agent, and a `clearance fix` run
// while no agent answers, which takes it with host.LockFile) from changing
// the same settings at the same time. The agent never waits for it
// without bound: another process may hold it for as long as its fix
// takes, or for ever if it hangs, and the agent must go on answering.
const fixLockRetry = 500 * time.Millisecond // how often a waiting agent tries again

// fixLockWait bounds how long a fix waits for the lock before it is
// answered that another process is busy. Tests shorten it.
var fixLockWait = 10 * time.Second

// fixLockPath is the lock's file.
func fixLockPath() string { return filepath.Join(host.StateDir(), "fix.lock") }

// errFixLockBusy: another process holds the fix lock.
var errFixLockBusy = &api.BusyError{Message: "another Clearance process (a 'clearance fix' run in a terminal?) is changing the system's settings; try again when it has finished"}

// tryFixLock takes the fix lock if no other process holds it, and returns
// the function that releases it, or errFixLockBusy.
func tryFixLock() (unlock func(), err error) {
	path := fixLockPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("take the fix lock: %w", err)
	}
	f, err := host.OpenLockFile(path)
	if err != nil {
		return nil, fmt.Errorf("take the fix lock: %w", err)
	}
	release, free, err := tryLockFile(f)
	if err != nil || !free {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("take the fix lock %s: %w", path, err)
		}
		return nil, errFixLockBusy
	}
	return func() {
		release()
		f.Close()
	}, nil
}

// waitFixLock takes the fix lock, waiting at most wait for another process
// to let it go.
func waitFixLock(ctx context.Context, wait time.Duration) (unlock func(), err error) {
	deadline := time.Now().Add(wait)
	for {
		unlock, err := tryFixLock()
		if !errors.Is(err, errFixLockBusy) || !time.Now().Before(deadline) {
			return unlock, err
		}
		select {
		case <-ctx.Done():
			return nil, errFixLockBusy
		case <-time.After(min(fixLockRetry, time.Until(deadline))):
		}
	}
}
