package timesync

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/host"
)

var (
	timedatectlArgv = "timedatectl show -p NTP -p NTPSynchronized -p CanNTP"
	systemctlArgv   = "systemctl show -p Id -p LoadState -p ActiveState -p UnitFileState -- " + strings.Join(timeUnitNames(), " ")
)

// linuxTimeSync on fake trees: which facts are read, which commands run
// (none without systemd), and the verdict.
func TestLinuxTimeSyncTrees(t *testing.T) {
	tests := []struct {
		root      string
		answers   map[string]scriptedAnswer
		service   string
		active    bool
		synced    *bool
		virt      string
		detailHas string
	}{
		{root: "root-debian12-container", virt: "docker", detailHas: "This runs in a Docker container"},
		{root: "root-wsl2", virt: "wsl", detailHas: "WSL"},
		{root: "root-openrc-ntpd", service: "ntpd", active: true, detailHas: "ntpd is running."},
		{
			root: "root-systemd-chrony",
			answers: map[string]scriptedAnswer{
				timedatectlArgv: {fixture: "timedatectl-show-synced.txt"},
				systemctlArgv:   {fixture: "systemctl-show-chrony.txt"},
			},
			service: "chronyd", active: true, synced: new(true), detailHas: "reports the clock as synchronized",
		},
		{
			root: "root-systemd-timesyncd",
			answers: map[string]scriptedAnswer{
				timedatectlArgv: {fixture: "timedatectl-show-not-yet.txt"},
				systemctlArgv:   {fixture: "systemctl-show-timesyncd.txt"},
			},
			service: "systemd-timesyncd", active: true, synced: new(false), detailHas: "has not synchronized the clock yet",
		},
		{
			root: "root-systemd-stopped",
			answers: map[string]scriptedAnswer{
				timedatectlArgv: {fixture: "timedatectl-show-ntp-off.txt"},
				systemctlArgv:   {fixture: "systemctl-show-chrony-stopped.txt"},
			},
			service: "chronyd", active: false, synced: new(false), detailHas: "switched off",
		},
		{
			// systemd booted but its tools fail (exit 1, as recorded without a bus).
			root: "root-systemd-stopped",
			answers: map[string]scriptedAnswer{
				timedatectlArgv: {fixture: "timedatectl-show-no-systemd.txt", err: &platform.ExitError{Code: 1}},
				systemctlArgv:   {err: &platform.ExitError{Code: 1}},
			},
			detailHas: "systemd did not answer",
		},
	}
	for _, tt := range tests {
		run := scriptedRunner{t: t, answers: tt.answers}
		ts, err := linuxTimeSync(context.Background(), run, filepath.Join("testdata", "timesync", tt.root), treeProcesses(filepath.Join("testdata", "timesync", tt.root)))
		if err != nil {
			t.Fatalf("%s: %v", tt.root, err)
		}
		if ts.Service != tt.service || ts.Active != tt.active || fmtBool(ts.Synchronized) != fmtBool(tt.synced) ||
			ts.Virtualized != tt.virt || !strings.Contains(ts.Detail, tt.detailHas) {
			t.Errorf("%s: got %+v (Synchronized %s); want service %q active %v synced %s virt %q, detail with %q",
				tt.root, ts, fmtBool(ts.Synchronized), tt.service, tt.active, fmtBool(tt.synced), tt.virt, tt.detailHas)
		}
	}
}

// treeProcesses reads the processes of a fake tree, as the real reader
// reads /proc.
func treeProcesses(root string) host.ProcessReader {
	return func(context.Context) (host.Processes, error) { return host.ProcessesIn(os.DirFS(root)) }
}

func TestLinuxTimeSyncNoProc(t *testing.T) {
	root := t.TempDir()
	if _, err := linuxTimeSync(context.Background(), scriptedRunner{t: t}, root, treeProcesses(root)); err == nil {
		t.Fatal("no error for a tree without /proc")
	}
}

// On this machine, for real: it must answer without an error and say
// something a person can read, whatever this machine is.
func TestTimeSyncStatusHere(t *testing.T) {
	ts, err := Read(context.Background(), platform.System, host.ReadProcesses)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Detail == "" {
		t.Fatalf("no Detail in %+v", ts)
	}
	t.Logf("%+v", ts)
}
