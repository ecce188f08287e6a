//go:build unix && !linux && !darwin

package installer

import (
	"github.com/kardianos/service"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/platform"
)

func serviceOptions() service.KeyValue { return service.KeyValue{} }

// serviceEnv: the marker, and the system's own PATH, so that the agent
// never starts with the PATH of whoever ran install or restart (a SysV
// script passes it on); the agent resets the rest itself
// (platform.ResetEnv).
func serviceEnv() map[string]string {
	return map[string]string{markerEnv: "1", "PATH": platform.SystemPATH()}
}

// registrationFile: unknown here; the manager's status decides.
func registrationFile(string) string { return "" }

func readRegistration(string) (string, error) { return "", nil }

func afterInstall() error { return nil }

func afterUninstall(string) error { return nil }

func removeLeftovers(string) ([]string, error) { return removeStaleSocket(api.DefaultAddress) }

func serviceLogFiles(string) []string { return nil }

func logHint(string) string { return "see the system log" }
