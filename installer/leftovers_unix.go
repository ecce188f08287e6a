//go:build unix

package installer

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// removeStaleSocket removes the agent's socket when nothing answers on it
// and returns it, and then its directory if that is empty. A live agent's
// socket is left alone.
func removeStaleSocket(path string) ([]string, error) {
	var removed []string
	fi, err := os.Lstat(path)
	if err == nil && fi.Mode().Type() == fs.ModeSocket {
		c, err := net.DialTimeout("unix", path, 2*time.Second)
		if err == nil {
			c.Close()
			return nil, nil
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%s cannot be tested (%w); leaving it alone", path, err)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
		removed = append(removed, path)
	}
	// The directory is the agent's run-time directory, which it leaves
	// behind even after a clean stop; it goes unannounced. Remove fails on
	// a directory that still holds something, which is then not ours.
	os.Remove(filepath.Dir(path))
	return removed, nil
}

// readFileIfAny reads path; a missing file is "".
func readFileIfAny(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}
