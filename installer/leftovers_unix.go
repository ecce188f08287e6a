//go:build unix

package installer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/clearance-app/clearance/agent/api"
)

// removeStaleSocket removes the agent's socket when nothing answers on it
// and returns it, and then its directory if that is empty. A live agent's
// socket, or anything there that is not a socket, is left alone.
func removeStaleSocket(path string) ([]string, error) {
	var removed []string
	fi, err := os.Lstat(path)
	if err == nil && fi.Mode().Type() == fs.ModeSocket {
		gone, err := api.RemoveStaleSocket(path)
		if errors.Is(err, api.ErrSocketInUse) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if gone {
			removed = append(removed, path)
		}
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
