package netstate

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// tailscaleCLI is tailscale.exe where Tailscale's installer puts it, in
// Program Files, which only Administrators can change; not in System32,
// where the runner looks for bare names.
func tailscaleCLI() (string, error) {
	dir, err := windows.KnownFolderPath(windows.FOLDERID_ProgramFiles, 0)
	if err != nil || !filepath.IsAbs(dir) {
		return "", ErrNoTailscaleCLI
	}
	p := filepath.Join(dir, "Tailscale", "tailscale.exe")
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%w in %s", ErrNoTailscaleCLI, filepath.Dir(p))
	}
	return p, nil
}
