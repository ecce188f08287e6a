package netstate

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// tailscaleCLI is tailscale.exe where Tailscale's installer puts it, in
// Program Files, which only Administrators can change; not in System32,
// where the runner looks for bare names.
func tailscaleCLI() (string, bool) {
	dir, err := windows.KnownFolderPath(windows.FOLDERID_ProgramFiles, 0)
	if err != nil || !filepath.IsAbs(dir) {
		return "", false
	}
	p := filepath.Join(dir, "Tailscale", "tailscale.exe")
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	return p, true
}
