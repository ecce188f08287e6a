package installer

import (
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"strings"

	"github.com/kardianos/service"
)

// ServiceName is the service's name for the service manager (unit
// clearance.service, /etc/init.d/clearance, the Windows service
// "clearance", the launchd label clearance).
const ServiceName = "clearance"

const (
	displayName = "Clearance"
	description = "Keeps the path to ChatGPT clear: checks the network, clock and DNS, and runs the fixes that need administrator rights."
)

// Status is the service's state.
type Status struct {
	Installed bool
	Running   bool
	// Backend is the service manager: "systemd", "sysv", "openrc",
	// "upstart", "rcs", "procd", "launchd", "windows-service".
	Backend string
	// Detail says where the service is registered and anything odd the
	// manager said; "" when it is not installed.
	Detail string
}

// svcState is what a manager reports.
type svcState struct {
	installed, running bool
	detail             string
}

// manager is the service manager, as Install and Uninstall use it. The
// real one is kardianos/service; tests use a fake.
type manager interface {
	backend() string
	// describe names the manager and where the registration lives, for a
	// person ("sysv, /etc/init.d/clearance").
	describe() string
	status() (svcState, error)
	// registration is the registered command as the manager stores it (a
	// unit file, an init script, a plist, the Windows command line), ""
	// when it cannot be read.
	registration() (string, error)
	install() error
	// afterInstall completes a fresh registration with what the manager
	// may refuse without making the service unusable (Windows' recovery
	// actions for a service that stops with an error): a failure is a
	// warning, not a failed install.
	afterInstall() error
	uninstall() error
	start() error
	stop() error
	// leftovers removes what a removal or a crash leaves behind and
	// returns what it removed.
	leftovers() ([]string, error)
	// logFiles are the service's log files that exist.
	logFiles() []string
	// logHint says where to read why the service failed.
	logHint() string
}

// serviceConfig is the service's definition: `clearance agent`, with the
// configuration file when one was named, and the marker by which the
// program knows it runs under the manager (see UnderServiceManager).
func serviceConfig(o Options) *service.Config {
	return &service.Config{
		Name:        ServiceName,
		DisplayName: displayName,
		Description: description,
		Executable:  o.Executable,
		Arguments:   serviceArgs(o),
		EnvVars:     serviceEnv(),
		Option:      serviceOptions(o),
	}
}

func serviceArgs(o Options) []string {
	args := []string{"agent"}
	if o.ConfigPath != "" {
		args = append(args, "--config", o.ConfigPath)
	}
	return args
}

// commandLine is the registered command, for a person.
func commandLine(o Options) string {
	return strings.Join(append([]string{o.Executable}, serviceArgs(o)...), " ")
}

// registrationRuns says whether a registration runs exe with the
// configuration file config ("" for the default). The manager writes the
// path as it likes (systemd escapes spaces as \x20, a plist escapes XML),
// so each of those forms counts.
func registrationRuns(reg, exe, config string) bool {
	if !mentions(reg, exe) {
		return false
	}
	if config == "" {
		return !strings.Contains(reg, "--config")
	}
	return mentions(reg, config)
}

func mentions(reg, s string) bool {
	for _, form := range []string{s, strings.ReplaceAll(s, " ", `\x20`), html.EscapeString(s)} {
		if strings.Contains(reg, form) {
			return true
		}
	}
	return false
}

// backendName shortens kardianos/service's platform names.
func backendName(platform string) string {
	switch platform {
	case "linux-systemd":
		return "systemd"
	case "linux-upstart":
		return "upstart"
	case "linux-openrc":
		return "openrc"
	case "linux-rcs":
		return "rcs"
	case "linux-procd":
		return "procd"
	case "unix-systemv":
		return "sysv"
	case "darwin-launchd":
		return "launchd"
	}
	return platform
}

// kmanager is the service manager through kardianos/service.
type kmanager struct {
	s        service.Service
	platform string
	o        Options
}

func newManager(o Options) (*kmanager, error) {
	s, err := service.New(idle{}, serviceConfig(o))
	if err != nil {
		return nil, fmt.Errorf("find this system's service manager: %w", err)
	}
	return &kmanager{s: s, platform: s.Platform(), o: o}, nil
}

// idle is the program of a service that is only installed or controlled.
type idle struct{}

func (idle) Start(service.Service) error { return nil }
func (idle) Stop(service.Service) error  { return nil }

func (k *kmanager) backend() string { return backendName(k.platform) }

func (k *kmanager) describe() string {
	if f := registrationFile(k.platform); f != "" {
		return k.backend() + ", " + f
	}
	return k.backend()
}

func (k *kmanager) status() (svcState, error) {
	st, err := k.s.Status()
	if file := registrationFile(k.platform); file != "" {
		// The file decides whether it is installed: the managers' answers
		// for a service they do not know vary (SysV's "unrecognized
		// service" is only an exit status).
		if !exists(file) {
			return svcState{}, nil
		}
		if err == nil && st == service.StatusRunning {
			return svcState{installed: true, running: true, detail: k.describe()}, nil
		}
		return svcState{installed: true, detail: stoppedDetail(k.platform, k.describe(), err)}, nil
	}
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		return svcState{}, nil
	case err != nil:
		return svcState{}, err
	case st == service.StatusRunning:
		return svcState{installed: true, running: true, detail: k.describe()}, nil
	}
	return svcState{installed: true, detail: k.describe()}, nil
}

// stoppedDetail adds to where what the manager said about a registered
// service that does not run, unless it is the plain "stopped" of the SysV
// script: exit 3 ("not running" in the LSB) from ours, 1 from the one
// kardianos/service wrote for older versions.
func stoppedDetail(platform, where string, err error) string {
	var ee *exec.ExitError
	if err == nil || platform == "unix-systemv" && errors.As(err, &ee) && (ee.ExitCode() == 3 || ee.ExitCode() == 1) {
		return where
	}
	return where + "; the service manager says: " + err.Error()
}

func exists(path string) bool {
	if path == "" {
		return false
	}
	_, err := os.Lstat(path)
	return err == nil
}

func (k *kmanager) registration() (string, error) { return readRegistration(k.platform) }

func (k *kmanager) install() error { return k.s.Install() }

func (k *kmanager) afterInstall() error { return afterInstall() }

func (k *kmanager) uninstall() error {
	if err := k.s.Uninstall(); err != nil {
		return err
	}
	return afterUninstall(k.platform)
}

func (k *kmanager) start() error { return k.s.Start() }
func (k *kmanager) stop() error  { return k.s.Stop() }

func (k *kmanager) leftovers() ([]string, error) { return removeLeftovers(k.platform) }

func (k *kmanager) logFiles() []string {
	var out []string
	for _, f := range serviceLogFiles(k.platform) {
		if exists(f) {
			out = append(out, f)
		}
	}
	return out
}

func (k *kmanager) logHint() string { return logHint(k.platform) }
