package netstate

import (
	"os/exec"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

// tailscaleKnownCLIs are where a person's tailscale command is on macOS
// when PATH does not say: Homebrew's (Apple silicon, then Intel, where the
// app's "Install CLI" also puts its link), and the app bundle's own
// executable, which is the command line when run by that path
// (tailscale.com/kb/1080/cli).
var tailscaleKnownCLIs = []string{
	"/opt/homebrew/bin/tailscale",
	"/usr/local/bin/tailscale",
	"/Applications/Tailscale.app/Contents/MacOS/Tailscale",
}

// tailscaleCLI is the tailscale command (findTailscaleCLI). As root, none
// of those count: /usr/local and /opt/homebrew belong to the person who
// installed Homebrew, and /Applications is writable by the admin group;
// only the sealed system directories are searched, which Tailscale does not
// install into, so the agent reports the exit node as unknown.
func tailscaleCLI() (string, error) {
	return findTailscaleCLI(tailscaleLookup{
		privileged: host.IsAdmin(),
		system:     platform.LookSystem,
		path:       exec.LookPath,
		known:      tailscaleKnownCLIs,
		isFile:     isExecutableFile,
	})
}
