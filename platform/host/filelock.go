package host

import (
	"fmt"
	"os"
	"path/filepath"
)

// LockFile takes an exclusive lock on path (created, with its directory,
// if missing), waiting for another process that holds it, and returns the
// function that releases it. The lock dies with the process, so a crash
// leaves nothing stale. Per OS: filelock_unix.go, filelock_windows.go.
func LockFile(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
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
