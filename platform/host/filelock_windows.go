package host

import (
	"os"

	"golang.org/x/sys/windows"
)

// noFollow is nothing on Windows, where os.OpenFile has no such flag:
// making a link there takes an administrator's privilege.
const noFollow = 0

// lockFile waits for LockFileEx on f's first byte.
func lockFile(f *os.File) (func(), error) {
	ol := new(windows.Overlapped)
	h := windows.Handle(f.Fd())
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, ol); err != nil {
		return nil, err
	}
	return func() { windows.UnlockFileEx(h, 0, 1, 0, ol) }, nil
}
