package timesync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

func timeSyncStatus(ctx context.Context, run platform.Runner, procs host.ProcessReader) (State, error) {
	return linuxTimeSync(ctx, run, "/", procs)
}

// linuxTimeSync gathers the facts under root ("/" except in tests, which
// point it at a fake tree in testdata, and procs at its /proc). systemd is
// asked when it is the init system; the running processes are read in
// every case, because they name the service that actually runs, with or
// without systemd.
func linuxTimeSync(ctx context.Context, run platform.Runner, root string, procs host.ProcessReader) (State, error) {
	f := linuxTimeFacts{Virtualized: virtualization(readVirtFacts(root))}
	p, err := procs(ctx)
	if err != nil {
		return State{}, fmt.Errorf("find the time service: %w", err)
	}
	f.Daemon = timeDaemonOf(timeDaemonNames(root, p))
	if systemdBooted(root) {
		f.Systemd = true
		f.Timedate = askTimedatectl(ctx, run)
		f.Units, f.UnitsKnown = askSystemctl(ctx, run)
	}
	return linuxVerdict(f), nil
}

// askTimedatectl returns nil when timedated does not answer (no D-Bus in a
// container, an old systemd): the verdict then rests on the other facts.
func askTimedatectl(ctx context.Context, run platform.Runner) *timedatectlState {
	out, err := run.Run(ctx, "timedatectl", "show", "-p", "NTP", "-p", "NTPSynchronized", "-p", "CanNTP")
	if err != nil {
		return nil
	}
	st, err := parseTimedatectlShow(out)
	if err != nil {
		return nil
	}
	return &st
}

// askSystemctl lists the installed time units and their states.
func askSystemctl(ctx context.Context, run platform.Runner) ([]unitState, bool) {
	args := append([]string{"show", "-p", "Id", "-p", "LoadState", "-p", "ActiveState", "-p", "UnitFileState", "--"}, timeUnitNames()...)
	out, err := run.Run(ctx, "systemctl", args...)
	if err != nil {
		return nil, false
	}
	return parseSystemctlShow(out), true
}

// timeDaemonNames returns the name of every process that may keep the
// clock. A chronyd with -x is left out: it keeps no clock; its command line
// is read under root.
func timeDaemonNames(root string, p host.Processes) []string {
	var names []string
	for pid, name := range p.ByPID {
		if name == "chronyd" {
			cmdline, _ := os.ReadFile(filepath.Join(root, "proc", pid, "cmdline"))
			if chronydClockOff(cmdline) {
				continue
			}
		}
		names = append(names, name)
	}
	return names
}

// readVirtFacts reads the container and WSL markers. Each is optional:
// /proc/1/environ in particular is unreadable without privileges.
func readVirtFacts(root string) virtFacts {
	read := func(p string) string {
		b, _ := os.ReadFile(filepath.Join(root, p))
		return string(b)
	}
	environ, _ := os.ReadFile(filepath.Join(root, "proc/1/environ"))
	return virtFacts{
		DockerEnv:        markerExists(filepath.Join(root, ".dockerenv")),
		ContainerEnv:     markerExists(filepath.Join(root, "run/.containerenv")),
		SystemdContainer: strings.TrimSpace(read("run/systemd/container")),
		Pid1Container:    envValue(environ, "container"),
		Cgroup:           read("proc/1/cgroup"),
		OSRelease:        strings.TrimSpace(read("proc/sys/kernel/osrelease")),
	}
}

func markerExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// systemdBooted is systemd's own test for "booted with systemd" (sd_booted).
func systemdBooted(root string) bool {
	fi, err := os.Stat(filepath.Join(root, "run/systemd/system"))
	return err == nil && fi.IsDir()
}

// timeUnitNames are the arguments to systemctl show.
func timeUnitNames() []string {
	out := make([]string, len(timeUnits))
	for i, u := range timeUnits {
		out[i] = u.unit
	}
	return out
}
