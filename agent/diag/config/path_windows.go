package config

import (
	"os"
	"path/filepath"
)

func systemPath() string {
	dir := os.Getenv("ProgramData")
	if dir == "" {
		dir = `C:\ProgramData`
	}
	return filepath.Join(dir, "Clearance", "config.toml")
}
