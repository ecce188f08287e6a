//go:build !windows && !darwin

package browser

import (
	"context"
	"os"
	"path/filepath"
	"strings"
)

func findDefault(ctx context.Context, l Lookup) (DefaultApp, error) {
	dirs := l.DataDirs
	if dirs == nil {
		home, _ := os.UserHomeDir()
		dirs = xdgDataDirs(os.Getenv, home)
	}
	return xdgDefault(ctx, l.runner(), dirs)
}

// xdgDataDirs are the XDG data directories, most important first
// (XDG Base Directory Specification: $XDG_DATA_HOME, default
// ~/.local/share, then $XDG_DATA_DIRS, default /usr/local/share:/usr/share).
func xdgDataDirs(getenv func(string) string, home string) []string {
	var dirs []string
	if h := getenv("XDG_DATA_HOME"); filepath.IsAbs(h) {
		dirs = append(dirs, h)
	} else if home != "" {
		dirs = append(dirs, filepath.Join(home, ".local", "share"))
	}
	sys := getenv("XDG_DATA_DIRS")
	if sys == "" {
		sys = "/usr/local/share:/usr/share"
	}
	for _, d := range strings.Split(sys, ":") {
		if filepath.IsAbs(d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}
