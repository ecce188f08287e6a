//go:build unix && !linux && !darwin

package installer

import (
	"github.com/kardianos/service"

	"github.com/clearance-app/clearance/agent/api"
)

func serviceOptions(Options) service.KeyValue { return service.KeyValue{} }

// registrationFile: unknown here; the manager's status decides.
func registrationFile(string) string { return "" }

func readRegistration(string) (string, error) { return "", nil }

func afterInstall() error { return nil }

func afterUninstall(string) error { return nil }

func removeLeftovers(string) ([]string, error) { return removeStaleSocket(api.DefaultAddress) }

func serviceLogFiles(string) []string { return nil }

func logHint(string) string { return "see the system log" }
