package browser

import (
	"fmt"
	"io"
	"os"
)

// Limits of what is read. Real files stay far below them: a Preferences
// of a profile with many extensions is a few hundred kilobytes, a
// profiles.ini a few hundred bytes.
const (
	maxJSON  = 16 << 20 // Local State, Preferences, extensions.json, prefs.js
	maxSmall = 1 << 20  // INI files, manifests, messages.json, Last Version
)

// readFile reads path whole if it is a regular file of at most limit
// bytes: a larger one is refused without being read, so that a damaged
// 50 MB Preferences costs nothing; a FIFO or device is refused before it
// is opened, so a read never blocks. A symlink loop fails in the OS's
// open with ELOOP.
func readFile(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file may have grown since: read one byte past the limit to tell.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}
