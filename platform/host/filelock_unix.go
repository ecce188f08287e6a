//go:build unix

package host

import (
	"os"
	"syscall"
)

// noFollow makes opening a lock file fail on a link (ELOOP).
const noFollow = syscall.O_NOFOLLOW

// lockFile waits for flock(2); closing f releases it.
func lockFile(f *os.File) (func(), error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return func() {}, err
		}
	}
}
