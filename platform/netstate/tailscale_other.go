//go:build !windows && !darwin

package netstate

import (
	"os/exec"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// tailscaleCLI is the tailscale command (findTailscaleCLI): as root, only
// where the system's packages put it (/usr/bin); as a person, wherever
// their PATH finds it (a snap's /snap/bin included).
func tailscaleCLI() (string, error) {
	return findTailscaleCLI(tailscaleLookup{
		privileged: host.IsAdmin(),
		system:     platform.LookSystem,
		path:       exec.LookPath,
		isFile:     isExecutableFile,
	})
}
