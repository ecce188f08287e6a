package platform

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// stateDir is under ProgramData, beside the config file. The known folder
// is asked first: a service's environment may lack %ProgramData%.
func stateDir() string {
	if dir, err := windows.KnownFolderPath(windows.FOLDERID_ProgramData, 0); err == nil && dir != "" {
		return filepath.Join(dir, "Clearance")
	}
	if dir := os.Getenv("ProgramData"); dir != "" {
		return filepath.Join(dir, "Clearance")
	}
	return `C:\ProgramData\Clearance`
}

// renameDurable replaces to with from and returns once the rename is on
// disk: MOVEFILE_WRITE_THROUGH is Windows' counterpart of fsyncing the
// directory after rename(2).
func renameDurable(from, to string) error {
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

// syncDir has nothing to do on Windows: NTFS journals its metadata, and
// directory handles cannot be flushed.
func syncDir(string) error { return nil }
