//go:build unix

package agent

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// tryLockFile takes flock(2) on f, as host.LockFile does, without waiting;
// free is false when another process holds it. Closing f releases it.
func tryLockFile(f *os.File) (release func(), free bool, err error) {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return func() {}, true, nil
		case errors.Is(err, unix.EWOULDBLOCK):
			return nil, false, nil
		case !errors.Is(err, unix.EINTR):
			return nil, false, err
		}
	}
}
