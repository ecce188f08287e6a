package platform

import (
	"path/filepath"

	"golang.org/x/sys/windows"
)

// systemDirs is System32, where ipconfig, netsh and w32tm live, asked of
// Windows rather than read from %SystemRoot%, which the caller's
// environment could point anywhere.
func systemDirs() []string {
	dir, err := windows.GetSystemDirectory()
	if err != nil || !filepath.IsAbs(dir) {
		dir = `C:\Windows\System32`
	}
	return []string{dir}
}
