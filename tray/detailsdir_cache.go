//go:build darwin || windows

package tray

import (
	"os"
	"path/filepath"
)

// detailsDir is where "Details…" writes its pages: the person's cache
// directory, which the browser opens a page from as any other file.
func detailsDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "clearance", "details"), nil
}
