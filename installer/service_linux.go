package installer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kardianos/service"

	"github.com/clearance-app/clearance/agent/api"
)

// serviceOptions hands kardianos/service the unit and the init script
// rendered (servicedef.go), so that they are the files a package ships.
func serviceOptions(o Options) service.KeyValue {
	d := serviceDefWithEnv(o, serviceEnv())
	return service.KeyValue{
		"SystemdScript": d.render(systemdUnit),
		"SysvScript":    d.render(sysvScript),
	}
}

// sysvPIDFile is the kardianos SysV script's ("/var/run/$name.pid").
const sysvPIDFile = "/var/run/" + ServiceName + ".pid"

func registrationFile(platform string) string {
	switch platform {
	case "linux-systemd":
		// clearance install's, else a package's, which one in /etc
		// would override.
		own := "/etc/systemd/system/" + ServiceName + ".service"
		if !exists(own) && exists(packagedUnitPath) {
			return packagedUnitPath
		}
		return own
	case "linux-upstart":
		return "/etc/init/" + ServiceName + ".conf"
	case "linux-openrc", "unix-systemv", "linux-rcs", "linux-procd":
		return initScript
	}
	return ""
}

func readRegistration(platform string) (string, error) {
	return readFileIfAny(registrationFile(platform))
}

func afterInstall() error { return nil }

// afterUninstall removes the runlevel links, which kardianos's SysV
// removal leaves dangling (it deletes only the script).
func afterUninstall(string) error {
	_, err := removeRunlevelLinks()
	return err
}

// removeRunlevelLinks removes the links to the init script once the script
// is gone, and returns them.
func removeRunlevelLinks() ([]string, error) {
	if exists(initScript) {
		return nil, nil
	}
	links, _ := filepath.Glob("/etc/rc[0-6S].d/[SK][0-9][0-9]" + ServiceName)
	more, _ := filepath.Glob("/etc/rc.d/[SK][0-9][0-9]" + ServiceName)
	var removed []string
	var errs []error
	for _, l := range append(links, more...) {
		if target, err := os.Readlink(l); err != nil || target != initScript {
			continue // not ours
		}
		if err := os.Remove(l); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, l)
	}
	return removed, errors.Join(errs...)
}

// removeLeftovers removes what an earlier removal or a crash left: runlevel
// links, the SysV pid file of an agent that is gone, a socket nothing
// answers on.
func removeLeftovers(string) ([]string, error) {
	removed, err := removeRunlevelLinks()
	errs := []error{err}
	if pidFileStale(sysvPIDFile) {
		if err := os.Remove(sysvPIDFile); err != nil {
			errs = append(errs, err)
		} else {
			removed = append(removed, sysvPIDFile)
		}
	}
	r, err := removeStaleSocket(api.DefaultAddress)
	return append(removed, r...), errors.Join(append(errs, err)...)
}

// pidFileStale: a pid file whose process is gone.
func pidFileStale(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return true
	}
	_, err = os.Stat("/proc/" + strconv.Itoa(pid))
	return errors.Is(err, fs.ErrNotExist)
}

func serviceLogFiles(platform string) []string {
	switch platform {
	case "unix-systemv", "linux-openrc":
		return []string{"/var/log/" + ServiceName + ".log", "/var/log/" + ServiceName + ".err"}
	}
	return nil
}

func logHint(platform string) string {
	switch platform {
	case "linux-systemd":
		return "see: journalctl -u " + ServiceName
	case "unix-systemv", "linux-openrc":
		return "see /var/log/" + ServiceName + ".err"
	}
	return "see the system log"
}
