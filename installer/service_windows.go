package installer

import (
	"errors"
	"fmt"
	"time"

	"github.com/kardianos/service"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc/mgr"
)

// serviceOptions: started at boot; restarted windowsRestartDelay after a
// failure, as the .msi has it. The library sets recovery actions only when
// OnFailure is given, whatever its documentation says. The failure count
// resets after windowsFailureReset without one.
func serviceOptions(Options) service.KeyValue {
	return service.KeyValue{
		"StartType":              "automatic",
		"OnFailure":              "restart",
		"OnFailureDelayDuration": windowsRestartDelay.String(),
		"OnFailureResetPeriod":   int(windowsFailureReset / time.Second),
	}
}

// serviceEnv: none. svc.IsWindowsService tells a service apart reliably,
// and the service manager gives a service the machine's environment, never
// that of whoever installed or started it; the agent still sets its own
// PATH (platform.ResetEnv).
func serviceEnv() map[string]string { return nil }

func registrationFile(string) string { return "" }

// readRegistration is the service's command line.
func readRegistration(string) (string, error) {
	m, err := mgr.Connect()
	if err != nil {
		return "", err
	}
	defer m.Disconnect()
	s, err := m.OpenService(ServiceName)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer s.Close()
	c, err := s.Config()
	if err != nil {
		return "", err
	}
	return c.BinaryPathName, nil
}

// afterInstall makes the recovery actions apply when the agent stops with
// an error too (RunService reports one as a service-specific exit code),
// not only when the process crashes. Install warns of a failure and goes
// on: the service works without it (Wine, for one, does not implement it).
func afterInstall() error {
	m, err := mgr.Connect()
	if err != nil {
		return err
	}
	defer m.Disconnect()
	s, err := m.OpenService(ServiceName)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
		return fmt.Errorf("could not have Windows restart the service when it stops with an error (%w)", err)
	}
	return nil
}

func afterUninstall(string) error { return nil }

// removeLeftovers: the named pipe goes with the process.
func removeLeftovers(string) ([]string, error) { return nil, nil }

func serviceLogFiles(string) []string { return nil }

func logHint(string) string {
	return "see the Event Viewer: Windows Logs, Application, source clearance"
}
