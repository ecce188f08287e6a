package browser

import (
	"errors"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// chromiumRunning: Chromium holds "lockfile" in its user-data folder open
// for writing while it runs, and it is deleted when closed.
func chromiumRunning(b Browser) (bool, string, error) {
	return heldOpen(filepath.Join(b.DataDir, "lockfile"))
}

// firefoxProfileRunning: Firefox holds a profile's parent.lock open
// without sharing while it runs; the file stays after it exits.
func firefoxProfileRunning(dir string, _ bool) (bool, string, error) {
	return heldOpen(filepath.Join(dir, "parent.lock"))
}

// heldOpen opens path allowing no sharing: a sharing violation means a
// process holds it open. The file is never created, and closed at once.
func heldOpen(path string) (bool, string, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return false, "", err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	switch {
	case err == nil:
		windows.CloseHandle(h)
		return false, "", nil
	case errors.Is(err, windows.ERROR_FILE_NOT_FOUND) || errors.Is(err, windows.ERROR_PATH_NOT_FOUND):
		return false, "", nil
	case errors.Is(err, windows.ERROR_SHARING_VIOLATION):
		return true, fmt.Sprintf("%s is held open", path), nil
	}
	return false, "", fmt.Errorf("could not tell whether %s is in use: %w", path, err)
}
