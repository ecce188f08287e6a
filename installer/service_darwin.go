package installer

import (
	"github.com/kardianos/service"

	"github.com/clearance-app/clearance/agent/api"
)

// serviceOptions: a launchd daemon started at boot and kept alive.
func serviceOptions(Options) service.KeyValue {
	return service.KeyValue{
		"RunAtLoad": true,
		"KeepAlive": true,
	}
}

func registrationFile(string) string {
	return "/Library/LaunchDaemons/" + ServiceName + ".plist"
}

func readRegistration(platform string) (string, error) {
	return readFileIfAny(registrationFile(platform))
}

func afterInstall() error { return nil }

func afterUninstall(string) error { return nil }

func removeLeftovers(string) ([]string, error) { return removeStaleSocket(api.DefaultAddress) }

// serviceLogFiles: kardianos points the daemon's stdout and stderr there.
func serviceLogFiles(string) []string {
	return []string{"/var/log/" + ServiceName + ".out.log", "/var/log/" + ServiceName + ".err.log"}
}

func logHint(string) string {
	return "see /var/log/" + ServiceName + ".err.log, and: log show --last 10m --predicate 'process == \"clearance\"'"
}
