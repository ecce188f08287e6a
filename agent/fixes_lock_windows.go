package agent

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// tryLockFile takes LockFileEx on f's first byte, as host.LockFile does,
// without waiting; free is false when another process holds it.
func tryLockFile(f *os.File) (release func(), free bool, err error) {
	ol := new(windows.Overlapped)
	h := windows.Handle(f.Fd())
	err = windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	switch {
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return func() { windows.UnlockFileEx(h, 0, 1, 0, ol) }, true, nil
}
