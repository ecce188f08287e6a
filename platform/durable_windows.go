package platform

import (
	"os"

	"golang.org/x/sys/windows"
)

// RenameDurable replaces to with from and returns once the rename is on
// disk: MOVEFILE_WRITE_THROUGH is Windows' counterpart of fsyncing the
// directory after rename(2).
func RenameDurable(from, to string) error {
	f, err := windows.UTF16PtrFromString(from)
	if err != nil {
		return err
	}
	t, err := windows.UTF16PtrFromString(to)
	if err != nil {
		return err
	}
	if err := windows.MoveFileEx(f, t, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// SyncDir has nothing to do on Windows: NTFS journals its metadata, and
// directory handles cannot be flushed.
func SyncDir(string) error { return nil }
