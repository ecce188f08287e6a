//go:build !windows

package netstate

import "github.com/clearance-app/clearance/platform"

// tailscaleCLI is the tailscale command where the system's packages put it
// (/usr/bin on Linux). The macOS app keeps its command inside
// /Applications, which the admin group can write: not run as root.
func tailscaleCLI() (string, bool) {
	if _, err := platform.LookSystem("tailscale"); err != nil {
		return "", false
	}
	return "tailscale", true
}
