package timesync

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// fmtBool shows a *bool readably in failure messages.
func fmtBool(b *bool) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprint(*b)
}

func TestParseTimedatectlShow(t *testing.T) {
	tests := []struct {
		file                string
		ntp, synced, canNTP bool
	}{
		{"timedatectl-show-synced.txt", true, true, true},
		{"timedatectl-show-ntp-off.txt", false, false, true},
		{"timedatectl-show-not-yet.txt", true, false, true},
	}
	for _, tt := range tests {
		st, err := parseTimedatectlShow(platformtest.ReadFixture(t, "timesync", tt.file))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if st.NTP == nil || st.NTPSynchronized == nil || st.CanNTP == nil ||
			*st.NTP != tt.ntp || *st.NTPSynchronized != tt.synced || *st.CanNTP != tt.canNTP {
			t.Errorf("%s: NTP=%s NTPSynchronized=%s CanNTP=%s; want %v %v %v", tt.file,
				fmtBool(st.NTP), fmtBool(st.NTPSynchronized), fmtBool(st.CanNTP), tt.ntp, tt.synced, tt.canNTP)
		}
	}
}

// Recorded: what timedatectl prints where systemd is not the init system.
// It must be an error, never "not synchronized".
func TestParseTimedatectlShowNotTimedatectl(t *testing.T) {
	if st, err := parseTimedatectlShow(platformtest.ReadFixture(t, "timesync", "timedatectl-show-no-systemd.txt")); err == nil {
		t.Fatalf("parsed %+v from systemd's refusal; want an error", st)
	}
	if _, err := parseTimedatectlShow([]byte("NTP=maybe\n")); err == nil {
		t.Fatal("NTP=maybe parsed; want an error")
	}
}

func TestParseSystemctlShow(t *testing.T) {
	tests := []struct {
		file string
		want []unitState
	}{
		// chrony.service and its alias chronyd.service are one unit; missing ones are dropped.
		{"systemctl-show-chrony.txt", []unitState{{"chrony.service", "loaded", "active", "enabled"}}},
		{"systemctl-show-chrony-stopped.txt", []unitState{{"chrony.service", "loaded", "inactive", "disabled"}}},
		{"systemctl-show-timesyncd.txt", []unitState{{"systemd-timesyncd.service", "loaded", "active", "enabled"}}},
	}
	for _, tt := range tests {
		if got := parseSystemctlShow(platformtest.ReadFixture(t, "timesync", tt.file)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.file, got, tt.want)
		}
	}
}

func TestTimeDaemonOf(t *testing.T) {
	tests := []struct {
		comms []string
		want  string
	}{
		{[]string{"systemd", "systemd-journal", "systemd-timesyn"}, "systemd-timesyncd"}, // cut to 15 bytes by the kernel
		{[]string{"init", "ntpd"}, "ntpd"},
		{[]string{"systemd", "ntpd", "chronyd"}, "chronyd"}, // preference order, not process order
		{[]string{"process_api", "bash"}, ""},
		{[]string{"chronyc"}, ""}, // the client is not the daemon
	}
	for _, tt := range tests {
		if got := timeDaemonOf(tt.comms); got != tt.want {
			t.Errorf("timeDaemonOf(%q) = %q, want %q", tt.comms, got, tt.want)
		}
	}
}

func TestChronydClockOff(t *testing.T) {
	tests := []struct {
		cmdline string
		want    bool
	}{
		{"/usr/sbin/chronyd\x00-F\x001\x00", false}, // Debian's unit: chronyd $DAEMON_OPTS
		{"/usr/sbin/chronyd\x00-f\x00/tmp/c.conf\x00-d\x00-x\x00-u\x00root\x00", true},
		{"chronyd\x00-dx\x00", true},
		{"chronyd\x00-f\x00/etc/chrony-x.conf\x00", false},
		{"chronyd\x00--\x00-x\x00", false},       // after --, a config line, not a flag
		{"chronyd\x00-uxuser\x00", false},        // x is -u's value
		{"chronyd\x00-u\x00-x\x00-d\x00", false}, // -x is -u's value
		{"chronyd\x00-u\x00_chrony\x00-x\x00", true},
		{"", false},
	}
	for _, tt := range tests {
		if got := chronydClockOff([]byte(tt.cmdline)); got != tt.want {
			t.Errorf("chronydClockOff(%q) = %v, want %v", tt.cmdline, got, tt.want)
		}
	}
}

func TestVirtualization(t *testing.T) {
	recordedCgroup := string(platformtest.ReadFixture(t, "timesync", "root-debian12-container/proc/1/cgroup"))
	tests := []struct {
		name  string
		facts virtFacts
		want  string
	}{
		{"recorded container markers", virtFacts{DockerEnv: true, Cgroup: recordedCgroup, OSRelease: "6.18.44-fc-v669"}, "docker"},
		{"recorded cgroup alone says nothing", virtFacts{Cgroup: recordedCgroup, OSRelease: "6.18.44-fc-v669"}, ""},
		// osrelease forms quoted in microsoft/WSL#423 and systemd/systemd#15614.
		{"WSL 2", virtFacts{OSRelease: "5.15.153.1-microsoft-standard-WSL2"}, "wsl"},
		{"WSL 2 of 2020", virtFacts{OSRelease: "4.19.104-microsoft-standard"}, "wsl"},
		{"WSL 1", virtFacts{OSRelease: "4.4.0-19041-Microsoft"}, "wsl"},
		{"Podman marker", virtFacts{ContainerEnv: true, DockerEnv: true}, "podman"},
		{"container= of pid 1 wins over markers", virtFacts{Pid1Container: "lxc", DockerEnv: true}, "lxc"},
		{"systemd's container file", virtFacts{SystemdContainer: "systemd-nspawn\n"}, "systemd-nspawn"},
		// cgroup v1 paths in the form the runtimes create (docker's /docker/<id>, kubelet's kubepods).
		{"docker cgroup v1", virtFacts{Cgroup: "12:memory:/docker/3f2a9c1d\n1:name=systemd:/docker/3f2a9c1d\n"}, "docker"},
		{"kubernetes cgroup v1", virtFacts{Cgroup: "11:cpu,cpuacct:/kubepods/besteffort/pod1/abc\n"}, "kubernetes"},
		{"plain machine", virtFacts{Cgroup: "0::/init.scope\n", OSRelease: "6.1.0-18-amd64"}, ""},
	}
	for _, tt := range tests {
		if got := virtualization(tt.facts); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEnvValue(t *testing.T) {
	environ := []byte("HOME=/\x00container=podman\x00TERM=xterm\x00")
	if got := envValue(environ, "container"); got != "podman" {
		t.Fatalf("got %q", got)
	}
	if got := envValue(environ, "contain"); got != "" {
		t.Fatalf("prefix matched: %q", got)
	}
}

func TestLinuxVerdict(t *testing.T) {
	chrony := []unitState{{"chrony.service", "loaded", "active", "enabled"}}
	chronyStopped := []unitState{{"chrony.service", "loaded", "inactive", "disabled"}}
	tests := []struct {
		name      string
		facts     linuxTimeFacts
		service   string
		active    bool
		synced    *bool
		detailHas string
	}{
		{"chrony runs and is synced",
			linuxTimeFacts{Systemd: true, Daemon: "chronyd", Units: chrony, UnitsKnown: true, Timedate: &timedatectlState{NTP: new(true), NTPSynchronized: new(true)}},
			"chronyd", true, new(true), "chronyd is running and the system reports the clock as synchronized"},
		{"unit active, process not seen yet",
			linuxTimeFacts{Systemd: true, Units: chrony, UnitsKnown: true},
			"chronyd", true, nil, "chronyd is running."},
		{"installed but stopped",
			linuxTimeFacts{Systemd: true, Units: chronyStopped, UnitsKnown: true, Timedate: &timedatectlState{NTP: new(true), NTPSynchronized: new(false)}},
			"chronyd", false, new(false), "chronyd is installed but not running"},
		{"switched off",
			linuxTimeFacts{Systemd: true, Units: chronyStopped, UnitsKnown: true, Timedate: &timedatectlState{NTP: new(false), NTPSynchronized: new(false)}},
			"chronyd", false, new(false), "switched off"},
		{"enabled but nothing runs (timesyncd refuses to start in a container)",
			linuxTimeFacts{Systemd: true, UnitsKnown: true, Timedate: &timedatectlState{NTP: new(true)}},
			"", false, nil, "switched on, but no time service is running"},
		{"no systemd, no daemon",
			linuxTimeFacts{},
			"", false, nil, "No time service"},
		{"container",
			linuxTimeFacts{Virtualized: "docker"},
			"", false, nil, "This runs in a Docker container, whose clock is the host's"},
		{"systemd silent",
			linuxTimeFacts{Systemd: true, Daemon: "ntpd"},
			"ntpd", true, nil, "systemd did not answer"},
	}
	for _, tt := range tests {
		ts := linuxVerdict(tt.facts)
		if ts.Service != tt.service || ts.Active != tt.active || fmtBool(ts.Synchronized) != fmtBool(tt.synced) || !strings.Contains(ts.Detail, tt.detailHas) {
			t.Errorf("%s: got %+v (Synchronized %s); want service %q active %v synced %s, detail with %q",
				tt.name, ts, fmtBool(ts.Synchronized), tt.service, tt.active, fmtBool(tt.synced), tt.detailHas)
		}
		if ts.Virtualized != tt.facts.Virtualized {
			t.Errorf("%s: Virtualized %q, want %q", tt.name, ts.Virtualized, tt.facts.Virtualized)
		}
	}
}

// The states are constructed from Microsoft's documentation of the W32Time
// registry (Parameters\Type: NoSync, NTP, NT5DS, AllSync) and of the service
// being trigger-started on machines outside a domain.
func TestW32TimeVerdict(t *testing.T) {
	tests := []struct {
		name      string
		state     w32TimeState
		service   string
		active    bool
		detailHas string
	}{
		{"not installed", w32TimeState{}, "", false, "not installed"},
		{"running, NTP", w32TimeState{Installed: true, Running: true, Type: "NTP"}, "W32Time", true, "internet time server"},
		{"running, domain", w32TimeState{Installed: true, Running: true, Type: "NT5DS"}, "W32Time", true, "domain"},
		{"running but NoSync", w32TimeState{Installed: true, Running: true, Type: "NoSync"}, "W32Time", false, "Set time automatically"},
		{"type in other case", w32TimeState{Installed: true, Running: true, Type: "nosync"}, "W32Time", false, "set not to synchronize"},
		{"trigger-started, stopped", w32TimeState{Installed: true, TriggerStart: true, Type: "NTP"}, "W32Time", true, "normal outside a company domain"},
		{"trigger-started but NoSync", w32TimeState{Installed: true, TriggerStart: true, Type: "NoSync"}, "W32Time", false, "set not to synchronize"},
		{"stopped without triggers", w32TimeState{Installed: true, Type: "AllSync"}, "W32Time", false, "service is stopped"},
		{"disabled", w32TimeState{Installed: true, Disabled: true, TriggerStart: true, Type: "NTP"}, "W32Time", false, "disabled"},
		{"type unreadable, running", w32TimeState{Installed: true, Running: true}, "W32Time", true, "running"},
	}
	for _, tt := range tests {
		ts := w32TimeVerdict(tt.state)
		if ts.Service != tt.service || ts.Active != tt.active || !strings.Contains(ts.Detail, tt.detailHas) || ts.Synchronized != nil || ts.Virtualized != "" {
			t.Errorf("%s: got %+v; want service %q active %v, detail with %q", tt.name, ts, tt.service, tt.active, tt.detailHas)
		}
	}
}

func TestParseUsingNetworkTime(t *testing.T) {
	tests := []struct {
		file   string
		on, ok bool
	}{
		{"systemsetup-on.txt", true, true},
		{"systemsetup-off.txt", false, true},
		{"systemsetup-not-admin.txt", false, false},
	}
	for _, tt := range tests {
		on, ok := parseUsingNetworkTime(platformtest.ReadFixture(t, "timesync", tt.file))
		if on != tt.on || ok != tt.ok {
			t.Errorf("%s: on=%v ok=%v; want %v %v", tt.file, on, ok, tt.on, tt.ok)
		}
	}
}

func TestMacVerdict(t *testing.T) {
	if ts := macVerdict(true); !ts.Active || !strings.Contains(ts.Detail, "is on") {
		t.Errorf("on: %+v", ts)
	}
	if ts := macVerdict(false); ts.Active || !strings.Contains(ts.Detail, "is off") {
		t.Errorf("off: %+v", ts)
	}
}

// Every fixture must say where it came from (README.md lists it).
func TestTimeSyncFixturesHaveSources(t *testing.T) {
	dir := filepath.Join("testdata", "timesync")
	readme := string(platformtest.ReadFixture(t, "timesync", "README.md"))
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		if rel == "README.md" {
			return nil
		}
		top, _, nested := strings.Cut(rel, "/")
		if !strings.Contains(readme, "`"+rel+"`") && !(nested && strings.Contains(readme, "`"+top+"/…`")) {
			t.Errorf("%s is not listed in %s/README.md with its source", rel, dir)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
