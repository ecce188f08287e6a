package timesync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// timefixUnits parses a systemctl fixture of the time-sync tests.
func timefixUnits(t *testing.T, name string) []unitState {
	t.Helper()
	return parseSystemctlShow(platformtest.ReadFixture(t, "timesync", name))
}

func timefixTimedate(t *testing.T, name string) *timedatectlState {
	t.Helper()
	st, err := parseTimedatectlShow(platformtest.ReadFixture(t, "timesync", name))
	if err != nil {
		t.Fatal(err)
	}
	return &st
}

// Which commands make each Linux time service correct the clock, decided
// from the facts Read gathers, with the exact argv run.
func TestSyncLinux(t *testing.T) {
	ntpsecActive := []unitState{{ID: "ntpsec.service", LoadState: "loaded", ActiveState: "active", UnitFileState: "enabled"}}
	chronyFailed := []unitState{{ID: "chrony.service", LoadState: "loaded", ActiveState: "failed", UnitFileState: "enabled"}}
	chronyMasked := []unitState{{ID: "chrony.service", LoadState: "masked", ActiveState: "inactive", UnitFileState: "masked"}}
	openntpd := []unitState{{ID: "openntpd.service", LoadState: "loaded", ActiveState: "active", UnitFileState: "enabled"}}
	exit1 := func(fixture string) platformtest.Answer {
		var out []byte
		if fixture != "" {
			out = platformtest.ReadFixture(t, "timefix", fixture)
		}
		return platformtest.Answer{Out: out, Err: &platform.ExitError{Code: 1}}
	}
	tests := []struct {
		name    string
		facts   linuxSyncFacts
		answers map[string]platformtest.Answer
		dryRun  bool
		service string
		ran     []string
		errHas  string
		errIs   error
	}{
		{
			name:    "chronyd steps at once",
			facts:   linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, Daemon: "chronyd", Units: timefixUnits(t, "systemctl-show-chrony.txt"), UnitsKnown: true}},
			answers: map[string]platformtest.Answer{"chronyc makestep": {}},
			service: "chronyd", ran: []string{"chronyc makestep"},
		},
		{
			name:    "chronyd without clock control refuses, and says so on stdout",
			facts:   linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Daemon: "chronyd"}},
			answers: map[string]platformtest.Answer{"chronyc makestep": exit1("chronyc-makestep-clock-off.txt")},
			service: "chronyd", ran: []string{"chronyc makestep"},
			errHas: `chronyc makestep failed, saying "500 Failure"`,
		},
		{
			name:    "chronyd gone between detection and fix",
			facts:   linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Daemon: "chronyd"}},
			answers: map[string]platformtest.Answer{"chronyc makestep": exit1("chronyc-makestep-no-daemon.txt")},
			service: "chronyd", ran: []string{"chronyc makestep"},
			errHas: "506 Cannot talk to daemon",
		},
		{
			name:    "systemd-timesyncd is restarted",
			facts:   linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, Daemon: "systemd-timesyncd", Units: timefixUnits(t, "systemctl-show-timesyncd.txt"), UnitsKnown: true}},
			answers: map[string]platformtest.Answer{"systemctl restart systemd-timesyncd": {}},
			service: "systemd-timesyncd", ran: []string{"systemctl restart systemd-timesyncd"},
		},
		{
			name:  "ntpd under systemd: stopped, set once, started",
			facts: linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, Daemon: "ntpd", Units: ntpsecActive, UnitsKnown: true}},
			answers: map[string]platformtest.Answer{
				"systemctl stop ntpsec.service": {}, "ntpd -gq": {}, "systemctl start ntpsec.service": {},
			},
			service: "ntpd", ran: []string{"systemctl stop ntpsec.service", "ntpd -gq", "systemctl start ntpsec.service"},
		},
		{
			name:  "ntpd -gq fails: the daemon is started again all the same",
			facts: linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, Daemon: "ntpd", Units: ntpsecActive, UnitsKnown: true}},
			answers: map[string]platformtest.Answer{
				"systemctl stop ntpsec.service": {}, "ntpd -gq": exit1(""), "systemctl start ntpsec.service": {},
			},
			service: "ntpd", ran: []string{"systemctl stop ntpsec.service", "ntpd -gq", "systemctl start ntpsec.service"},
			errHas: "ntpd -gq failed",
		},
		{
			name:    "ntpd under OpenRC: its init script",
			facts:   linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Daemon: "ntpd"}, NtpdInitScript: "/etc/init.d/ntpd"},
			answers: map[string]platformtest.Answer{"/etc/init.d/ntpd stop": {}, "ntpd -gq": {}, "/etc/init.d/ntpd start": {}},
			service: "ntpd", ran: []string{"/etc/init.d/ntpd stop", "ntpd -gq", "/etc/init.d/ntpd start"},
		},
		{
			name:    "ntpd that cannot be stopped is left alone",
			facts:   linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Daemon: "ntpd"}},
			service: "ntpd", errHas: "neither its systemd unit nor its init script",
		},
		{
			name:    "OpenNTPD (also named ntpd) is restarted",
			facts:   linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, Daemon: "ntpd", Units: openntpd, UnitsKnown: true}},
			answers: map[string]platformtest.Answer{"systemctl restart openntpd": {}},
			service: "openntpd", ran: []string{"systemctl restart openntpd"},
		},
		{
			name: "network time switched off: timedatectl set-ntp true",
			facts: linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, Timedate: timefixTimedate(t, "timedatectl-show-ntp-off.txt"),
				Units: timefixUnits(t, "systemctl-show-chrony-stopped.txt"), UnitsKnown: true}},
			answers: map[string]platformtest.Answer{"timedatectl set-ntp true": {}},
			service: "chronyd", ran: []string{"timedatectl set-ntp true"},
		},
		{
			name: "network time on but the service failed: started and enabled by name",
			facts: linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, Timedate: timefixTimedate(t, "timedatectl-show-not-yet.txt"),
				Units: chronyFailed, UnitsKnown: true}},
			answers: map[string]platformtest.Answer{"systemctl enable --now chrony.service": {}},
			service: "chronyd", ran: []string{"systemctl enable --now chrony.service"},
		},
		{
			name:    "a masked service is not overridden",
			facts:   linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, Units: chronyMasked, UnitsKnown: true}},
			service: "chronyd", errHas: "systemctl unmask chrony.service",
		},
		{
			name:  "no time service at all",
			facts: linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, UnitsKnown: true}},
			errIs: ErrNoService,
		},
		{
			name:   "a container: the host keeps the time, which is not ErrNoTimeService",
			facts:  linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Virtualized: "docker", Daemon: "chronyd"}},
			errHas: "this runs in a Docker container, whose clock is the host's",
		},
		{
			name:    "a service Clearance cannot drive",
			facts:   linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Daemon: "phc2sys"}},
			service: "phc2sys", errHas: "does not know how",
		},
		{
			name:    "dry run: recorded, not run",
			facts:   linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, Daemon: "ntpd", Units: ntpsecActive, UnitsKnown: true}},
			dryRun:  true,
			service: "ntpd",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := &platformtest.Runner{T: t, Answers: tt.answers}
			ch := platform.NewChanges(run, tt.dryRun)
			service, err := syncLinux(context.Background(), tt.facts, ch)
			checkTimefixErr(t, err, tt.errHas, tt.errIs)
			if tt.errIs != nil && errors.Is(err, ErrNoService) != errors.Is(tt.errIs, ErrNoService) {
				t.Errorf("errors.Is(%v, ErrNoService) wrong", err)
			}
			if tt.errHas != "" && errors.Is(err, ErrNoService) {
				t.Errorf("%v is ErrNoService: the caller would step the clock", err)
			}
			if service != tt.service || !slices.Equal(run.Calls, tt.ran) {
				t.Errorf("service %q, ran %q; want %q, %q", service, run.Calls, tt.service, tt.ran)
			}
			if !tt.dryRun && !slices.Equal(ch.Commands(), tt.ran) {
				t.Errorf("recorded %q; want %q", ch.Commands(), tt.ran)
			}
		})
	}
}

func TestSyncLinuxDryRunRecordsAll(t *testing.T) {
	ch := platform.NewChanges(&platformtest.Runner{T: t}, true)
	f := linuxSyncFacts{linuxTimeFacts: linuxTimeFacts{Systemd: true, Daemon: "ntpd", UnitsKnown: true,
		Units: []unitState{{ID: "ntp.service", LoadState: "loaded", ActiveState: "active"}}}}
	if _, err := syncLinux(context.Background(), f, ch); err != nil {
		t.Fatal(err)
	}
	want := []string{"systemctl stop ntp.service", "ntpd -gq", "systemctl start ntp.service"}
	if !slices.Equal(ch.Commands(), want) {
		t.Errorf("dry run recorded %q; want %q", ch.Commands(), want)
	}
}

func checkTimefixErr(t *testing.T, err error, has string, is error) {
	t.Helper()
	switch {
	case is != nil && !errors.Is(err, is):
		t.Fatalf("error %v; want %v", err, is)
	case has != "" && (err == nil || !strings.Contains(err.Error(), has)):
		t.Fatalf("error %v; want one with %q", err, has)
	case is == nil && has == "" && err != nil:
		t.Fatalf("error: %v", err)
	}
}

// Windows Time: started when stopped (judged by the service state, not
// net's text), then w32tm /resync; the 15-hour limit is named when the
// resync fails.
func TestSyncW32Time(t *testing.T) {
	tests := []struct {
		name     string
		st       w32TimeState
		startErr error
		resync   *platformtest.Answer // nil: w32tm is not run
		started  bool
		commands []string
		errHas   string
		errIs    error
	}{
		{
			name: "running: resync only", st: w32TimeState{Installed: true, Running: true, Type: "NTP"},
			resync: &platformtest.Answer{}, commands: []string{"w32tm /resync"},
		},
		{
			name: "trigger-started and stopped: started first", st: w32TimeState{Installed: true, TriggerStart: true, Type: "NTP"},
			resync: &platformtest.Answer{}, started: true, commands: []string{"net start w32time", "w32tm /resync"},
		},
		{
			name: "the service does not start", st: w32TimeState{Installed: true, Type: "NTP"}, startErr: errors.New("Access is denied."),
			started: true, commands: []string{"net start w32time"}, errHas: "start the Windows Time service: Access is denied.",
		},
		{
			name: "resync fails: the 54000 s limit is named", st: w32TimeState{Installed: true, Running: true, Type: "NTP"},
			resync:   &platformtest.Answer{Err: &platform.ExitError{Code: 1}},
			commands: []string{"w32tm /resync"}, errHas: "54000 s",
		},
		{
			name: "disabled", st: w32TimeState{Installed: true, Disabled: true, Type: "NTP"},
			errHas: "sc config w32time start= demand",
		},
		{
			name: "set not to synchronize", st: w32TimeState{Installed: true, Running: true, Type: "NoSync"},
			errHas: "Set time automatically",
		},
		{
			name: "a policy forbids synchronizing", st: w32TimeState{Installed: true, Running: true, Type: "NTP", PolicyType: "NoSync"},
			errHas: "Group Policy",
		},
		{
			name: "not installed", st: w32TimeState{}, errIs: ErrNoService,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answers := map[string]platformtest.Answer{}
			if tt.resync != nil {
				answers["w32tm /resync"] = *tt.resync
			}
			run := &platformtest.Runner{T: t, Answers: answers}
			ch := platform.NewChanges(run, false)
			started := false
			service, err := syncW32Time(context.Background(), tt.st, ch, func(context.Context) error {
				started = true
				return tt.startErr
			})
			checkTimefixErr(t, err, tt.errHas, tt.errIs)
			if started != tt.started || !slices.Equal(ch.Commands(), tt.commands) {
				t.Errorf("started %v, commands %q; want %v, %q", started, ch.Commands(), tt.started, tt.commands)
			}
			if tt.errIs == nil && service != "W32Time" {
				t.Errorf("service %q", service)
			}
		})
	}
}

func TestSyncMac(t *testing.T) {
	const sntp = "/usr/bin/sntp -sS time.apple.com"
	tests := []struct {
		name   string
		answer platformtest.Answer
		errHas string
		errIs  error
	}{
		{"adjusted", platformtest.Answer{}, "", nil},
		{"nothing adjusted (exit 1)", platformtest.Answer{Err: &platform.ExitError{Code: 1}}, "could not set the clock from time.apple.com", nil},
		{"no sntp", platformtest.Answer{Err: errors.New(`exec: "/usr/bin/sntp": stat /usr/bin/sntp: no such file or directory`)}, "", ErrNoService},
	}
	for _, tt := range tests {
		run := &platformtest.Runner{T: t, Answers: map[string]platformtest.Answer{sntp: tt.answer}}
		service, err := syncMac(context.Background(), platform.NewChanges(run, false))
		checkTimefixErr(t, err, tt.errHas, tt.errIs)
		if !slices.Equal(run.Calls, []string{sntp}) || (tt.errIs == nil && service != "sntp") {
			t.Errorf("%s: service %q, ran %q", tt.name, service, run.Calls)
		}
	}
}

// stepClock sets the clock back by the offset, read at the moment of the
// step, through an injected setter; on a dry run it only records.
func TestStepClockSetter(t *testing.T) {
	now := time.Date(2026, 11, 27, 15, 3, 41, 500_000_000, time.UTC)
	var set []time.Time
	clk := clockSetter{
		now:  func() time.Time { return now },
		set:  func(t time.Time) error { set = append(set, t); return nil },
		desc: unixDateCommand,
	}
	ch := platform.NewChanges(&platformtest.Runner{T: t}, false)
	if err := stepClock(context.Background(), ch, 92*time.Second, clk); err != nil {
		t.Fatal(err)
	}
	want := now.Add(-92 * time.Second)
	if !slices.Equal(set, []time.Time{want}) || !slices.Equal(ch.Commands(), []string{"date -s @1795791729"}) {
		t.Errorf("set %v, recorded %q; want %v, date -s @1795791729", set, ch.Commands(), want)
	}

	// Behind by 30 s: set forward.
	set = nil
	if err := stepClock(context.Background(), platform.NewChanges(&platformtest.Runner{T: t}, false), -30*time.Second, clk); err != nil || !slices.Equal(set, []time.Time{now.Add(30 * time.Second)}) {
		t.Errorf("behind: set %v, %v", set, err)
	}

	set = nil
	dry := platform.NewChanges(&platformtest.Runner{T: t}, true)
	if err := stepClock(context.Background(), dry, 92*time.Second, clk); err != nil || set != nil || len(dry.Commands()) != 1 {
		t.Errorf("dry run: set %v, recorded %q, %v", set, dry.Commands(), err)
	}

	clk.set = func(time.Time) error { return errors.New("operation not permitted") }
	if err := stepClock(context.Background(), platform.NewChanges(&platformtest.Runner{T: t}, false), time.Second, clk); err == nil || !strings.Contains(err.Error(), "set the clock: operation not permitted") {
		t.Errorf("refused step: %v", err)
	}
	clk.set = nil
	if err := stepClock(context.Background(), platform.NewChanges(&platformtest.Runner{T: t}, false), time.Second, clk); !errors.Is(err, platform.ErrNotSupported) {
		t.Errorf("no setter: %v", err)
	}
	if err := stepClock(context.Background(), dry, 0, clk); err != nil || len(dry.Commands()) != 1 {
		t.Errorf("zero offset recorded something: %q, %v", dry.Commands(), err)
	}
}

func TestClockCommands(t *testing.T) {
	at := time.Date(2026, 11, 27, 16, 3, 41, 0, time.FixedZone("CET", 3600))
	for _, tt := range []struct{ got, want string }{
		{unixDateCommand(at), "date -s @1795791821"},
		{bsdDateCommand(at), "date -f %s 1795791821"},
		{powershellDateCommand(at), "Set-Date -Date '2026-11-27T15:03:41Z'"},
	} {
		if tt.got != tt.want {
			t.Errorf("%q; want %q", tt.got, tt.want)
		}
	}
	st := toSystemtime(time.Date(2026, 11, 27, 16, 3, 41, 987_654_321, time.FixedZone("CET", 3600)))
	if st != (systemtime{Year: 2026, Month: 11, DayOfWeek: 5, Day: 27, Hour: 15, Minute: 3, Second: 41, Milliseconds: 987}) {
		t.Errorf("SYSTEMTIME %+v", st)
	}
}

// Every file in testdata/timefix is described in SOURCES.md.
func TestTimefixFixturesHaveSources(t *testing.T) {
	sources := string(platformtest.ReadFixture(t, "timefix", "SOURCES.md"))
	entries, err := os.ReadDir(filepath.Join("testdata", "timefix"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "SOURCES.md" && !strings.Contains(sources, "`"+e.Name()) {
			t.Errorf("testdata/timefix/%s is not described in SOURCES.md", e.Name())
		}
	}
}
