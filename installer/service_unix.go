//go:build unix

package installer

import "github.com/clearance-app/clearance/platform"

// serviceEnv: the marker, and the system's own PATH, so that the agent
// never starts with the PATH of whoever ran install or restart (a SysV
// script passes it on); the agent resets the rest itself
// (platform.ResetEnv).
func serviceEnv() map[string]string {
	return map[string]string{markerEnv: "1", "PATH": platform.SystemPATH()}
}
