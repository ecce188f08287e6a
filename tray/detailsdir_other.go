//go:build !windows && !darwin

package tray

import (
	"os"
	"path/filepath"
)

// detailsDir is where "Details…" writes its pages: the Clearance folder in
// the person's download directory (xdgDetailsDir), which snap and Flatpak
// browsers can read.
func detailsDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	config := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(config) {
		config = filepath.Join(home, ".config")
	}
	userDirs, _ := os.ReadFile(filepath.Join(config, "user-dirs.dirs")) // none: ~/Downloads
	return xdgDetailsDir(home, userDirs), nil
}
