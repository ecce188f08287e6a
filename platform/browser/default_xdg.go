//go:build !windows && !darwin

package browser

import (
	"context"
	"os"
)

func findDefault(ctx context.Context, l Lookup) (DefaultApp, error) {
	dirs := l.DataDirs
	if dirs == nil {
		home, _ := os.UserHomeDir()
		dirs = xdgDataDirs(os.Getenv, home)
	}
	return xdgDefault(ctx, l.runner(), dirs)
}
