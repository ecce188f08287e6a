package installer

import (
	"github.com/kardianos/service"

	"github.com/clearance-app/clearance/agent/api"
)

// serviceOptions: a launchd daemon started at boot and kept alive, from
// the plist this package renders itself (launchDaemonPlist), which the
// macOS package carries too. kardianos's RunAtLoad and KeepAlive options
// only fill its own template, so the plist says them instead.
func serviceOptions(o Options) service.KeyValue {
	return service.KeyValue{"LaunchdConfig": launchDaemonPlist(o)}
}

func registrationFile(string) string { return launchDaemonPath }

func readRegistration(platform string) (string, error) {
	return readFileIfAny(registrationFile(platform))
}

func afterInstall() error { return nil }

func afterUninstall(string) error { return nil }

func removeLeftovers(string) ([]string, error) { return removeStaleSocket(api.DefaultAddress) }

// serviceLogFiles: the plist points the daemon's stdout and stderr there.
func serviceLogFiles(string) []string {
	return []string{launchDaemonOutLog, launchDaemonErrLog}
}

func logHint(string) string {
	return "see " + launchDaemonErrLog + ", and: log show --last 10m --predicate 'process == \"clearance\"'"
}
