package host

import (
	"fmt"
	"os"
	"path/filepath"
)

// LockFile takes an exclusive lock on path (created if missing), waiting
// for another process that holds it, and returns the function that
// releases it. The lock dies with the process, so a crash leaves nothing
// stale. Its directory is the state directory, where the DNS journal is
// kept too: it is made, or checked, as MakeRootOwnedDir does, so that a
// fix never creates it with what it would inherit. Per OS:
// filelock_unix.go, filelock_windows.go.
func LockFile(path string) (unlock func(), err error) {
	if _, err := MakeRootOwnedDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	f, err := OpenLockFile(path)
	if err != nil {
		return nil, err
	}
	release, err := lockFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		release()
		f.Close()
	}, nil
}

// OpenLockFile opens the lock file at path, creating it 0600 when missing,
// and never through a link at that name (noFollow): only root writes in
// the state directory, yet a link there must not have root create, or
// open, a file elsewhere.
func OpenLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|noFollow, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the lock %s (a link is not followed): %w", path, err)
	}
	return f, nil
}
