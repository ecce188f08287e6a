package tray

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// claimSession locks a file in the user's own temporary directory (macOS
// gives each user one), so that one tray runs per user; release unlocks.
// The lock dies with the process, so a crash leaves nothing stale. The uid
// is in the name: a process started without TMPDIR gets the shared /tmp,
// where another user's lock file would refuse this user's tray.
func claimSession() (release func(), err error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("app.clearance.Tray.%d.lock", os.Getuid()))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the tray's lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrAlreadyRunning
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
