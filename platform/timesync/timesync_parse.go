package timesync

// The pure half of Read: parsers of what the OS says about its time
// service, and the verdicts built from them. Untagged, so that every OS's
// logic is tested on every OS from testdata/timesync/. The per-OS files only
// gather the raw facts.

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/clearance-app/clearance/platform"
)

// timedatectlState is the answer of
// `timedatectl show -p NTP -p NTPSynchronized -p CanNTP`. A nil field was
// not in the output.
type timedatectlState struct {
	// NTP: a network time service is enabled.
	NTP *bool
	// NTPSynchronized: the kernel reports the clock as synchronized.
	NTPSynchronized *bool
	// CanNTP: a network time service is installed.
	CanNTP *bool
}

// parseTimedatectlShow reads KEY=VALUE lines with systemd's yes/no booleans.
// Output without any of the three keys is an error: it is not timedatectl's.
func parseTimedatectlShow(out []byte) (timedatectlState, error) {
	var st timedatectlState
	fields := map[string]**bool{"NTP": &st.NTP, "NTPSynchronized": &st.NTPSynchronized, "CanNTP": &st.CanNTP}
	found := false
	for _, line := range platform.OutputLines(out) {
		key, val, ok := strings.Cut(line, "=")
		dst := fields[key]
		if !ok || dst == nil {
			continue
		}
		b, ok := systemdBool(val)
		if !ok {
			return timedatectlState{}, fmt.Errorf("timedatectl: %s=%q is not yes or no", key, val)
		}
		*dst = &b
		found = true
	}
	if !found {
		return timedatectlState{}, fmt.Errorf("timedatectl: no NTP properties in %q", quoteOutput(out))
	}
	return st, nil
}

// systemdBool parses the booleans systemd prints.
func systemdBool(s string) (bool, bool) {
	switch strings.TrimSpace(s) {
	case "yes", "true", "1", "on":
		return true, true
	case "no", "false", "0", "off":
		return false, true
	}
	return false, false
}

// unitState is one unit's block of
// `systemctl show -p Id -p LoadState -p ActiveState -p UnitFileState UNIT…`.
type unitState struct {
	ID            string // the unit's real name: an alias (chronyd.service) shows its target (chrony.service)
	LoadState     string // "loaded"; "not-found" when not installed
	ActiveState   string // "active", "inactive", "failed", "activating", …
	UnitFileState string // "enabled", "disabled", "masked", …
}

// parseSystemctlShow splits systemctl's output into one block per unit
// (blank lines separate them), dropping units that are not installed and
// repeats of a unit asked for under two names.
func parseSystemctlShow(out []byte) []unitState {
	var units []unitState
	seen := map[string]bool{}
	var cur unitState
	flush := func() {
		if cur.ID != "" && cur.LoadState != "not-found" && !seen[cur.ID] {
			seen[cur.ID] = true
			units = append(units, cur)
		}
		cur = unitState{}
	}
	for _, line := range append(platform.OutputLines(out), "") {
		key, val, _ := strings.Cut(line, "=")
		switch key {
		case "":
			flush()
		case "Id":
			cur.ID = val
		case "LoadState":
			cur.LoadState = val
		case "ActiveState":
			cur.ActiveState = val
		case "UnitFileState":
			cur.UnitFileState = val
		}
	}
	return units
}

// timeUnits are the systemd units of Linux time services, in the order of
// preference when several are installed, with the service name reported.
var timeUnits = []struct{ unit, service string }{
	{"chrony.service", "chronyd"},  // Debian, Ubuntu
	{"chronyd.service", "chronyd"}, // Fedora, RHEL, SUSE, Arch
	{"systemd-timesyncd.service", "systemd-timesyncd"},
	{"ntpsec.service", "ntpd"},
	{"ntp.service", "ntpd"},
	{"ntpd.service", "ntpd"},
	{"openntpd.service", "openntpd"},
}

// serviceOfUnit names the service a unit runs; "" for a unit not listed.
func serviceOfUnit(id string) string {
	for _, u := range timeUnits {
		if u.unit == id {
			return u.service
		}
	}
	return ""
}

// timeDaemons maps process names, as /proc/PID/comm shows them, to the
// service reported. The kernel cuts comm to 15 bytes, which is why
// systemd-timesyncd appears as "systemd-timesyn". ntpd is the binary of
// classic ntp, NTPsec and OpenNTPD alike.
var timeDaemons = []struct{ comm, service string }{
	{"chronyd", "chronyd"},
	{"systemd-timesyn", "systemd-timesyncd"},
	{"ntpd", "ntpd"},
	{"openntpd", "openntpd"},
	{"htpdate", "htpdate"},
	{"phc2sys", "phc2sys"}, // linuxptp: keeps the system clock on a PTP hardware clock
}

// timeDaemonOf returns the time service among running process names, the
// first in timeDaemons order; "" when none runs.
func timeDaemonOf(comms []string) string {
	running := map[string]bool{}
	for _, c := range comms {
		running[strings.TrimSpace(c)] = true
	}
	for _, d := range timeDaemons {
		if running[d.comm] {
			return d.service
		}
	}
	return ""
}

// chronydClockOff reports whether a chronyd command line (/proc/PID/cmdline,
// NUL-separated) has -x, which disables control of the system clock: such a
// chronyd serves time, as test servers do, but does not keep this machine's
// clock. Flags may be clustered ("-dx") as getopt allows; in "-uxuser" the
// x belongs to -u's value.
func chronydClockOff(cmdline []byte) bool {
	const takesValue = "fFlLPtu" // chronyd's getopt string: "46df:F:hl:L:mnP:qQrRst:u:vx"
	args := bytes.Split(bytes.TrimRight(cmdline, "\x00"), []byte{0})
	for i := 1; i < len(args); i++ {
		a := string(args[i])
		if a == "--" || len(a) < 2 || a[0] != '-' {
			return false // options end at the first operand (config lines)
		}
		for j := 1; j < len(a); j++ {
			if a[j] == 'x' {
				return true
			}
			if strings.IndexByte(takesValue, a[j]) >= 0 {
				if j == len(a)-1 {
					i++ // the value is the next argument
				}
				break
			}
		}
	}
	return false
}

// virtFacts are the files that tell a container or WSL from a machine of
// its own. Missing or unreadable files are empty.
type virtFacts struct {
	DockerEnv        bool   // /.dockerenv exists
	ContainerEnv     bool   // /run/.containerenv exists (Podman, Buildah)
	SystemdContainer string // /run/systemd/container, written by container managers for systemd
	Pid1Container    string // container= in /proc/1/environ
	Cgroup           string // /proc/1/cgroup
	OSRelease        string // /proc/sys/kernel/osrelease
}

// virtualization names the container or WSL whose host keeps the clock;
// "" on a machine of its own. WSL comes first: its kernel says so plainly,
// while the container markers are conventions of the tools that create
// them.
func virtualization(f virtFacts) string {
	rel := strings.ToLower(f.OSRelease)
	if strings.Contains(rel, "microsoft") || strings.Contains(rel, "wsl") {
		return "wsl"
	}
	for _, v := range []string{f.Pid1Container, f.SystemdContainer} {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	switch {
	case f.ContainerEnv:
		return "podman"
	case f.DockerEnv:
		return "docker"
	}
	return cgroupContainer(f.Cgroup)
}

// cgroupContainer reads the container runtime from the cgroup paths of
// pid 1. With cgroup v2 and a cgroup namespace this is "0::/" and says
// nothing, which is why it is the last hint.
func cgroupContainer(cgroup string) string {
	hints := []struct{ substr, name string }{
		{"kubepods", "kubernetes"},
		{"libpod", "podman"},
		{"docker", "docker"},
		{"/lxc", "lxc"},
		{"lxc.payload", "lxc"},
		{"containerd", "containerd"},
	}
	for _, line := range platform.OutputLines([]byte(cgroup)) {
		path := cgroupPath(line)
		for _, h := range hints {
			if strings.Contains(path, h.substr) {
				return h.name
			}
		}
	}
	return ""
}

// envValue returns the value of key in a NUL-separated environment block
// such as /proc/PID/environ.
func envValue(environ []byte, key string) string {
	for _, kv := range bytes.Split(environ, []byte{0}) {
		if k, v, ok := strings.Cut(string(kv), "="); ok && k == key {
			return v
		}
	}
	return ""
}

// linuxTimeFacts is what Linux said about its time service.
type linuxTimeFacts struct {
	Systemd     bool              // systemd is the init system
	Timedate    *timedatectlState // nil when timedatectl was not asked or failed
	Units       []unitState       // installed time units; nil when systemctl was not asked or failed
	UnitsKnown  bool              // systemctl answered (an empty Units then means none installed)
	Daemon      string            // the time service found among running processes
	Virtualized string
}

// linuxVerdict judges the facts. A running process or an active unit is a
// running service; NTP=yes alone is not, because the unit it enables may be
// prevented from starting (systemd-timesyncd does not start in containers).
func linuxVerdict(f linuxTimeFacts) State {
	ts := State{Virtualized: f.Virtualized, Service: f.Daemon, Active: f.Daemon != ""}
	for _, u := range f.Units {
		if u.ActiveState == "active" || u.ActiveState == "reloading" {
			ts.Active = true
			if ts.Service == "" {
				ts.Service = serviceOfUnit(u.ID)
			}
		}
	}
	if ts.Service == "" && len(f.Units) > 0 {
		ts.Service = serviceOfUnit(f.Units[0].ID)
	}
	if f.Timedate != nil {
		ts.Synchronized = f.Timedate.NTPSynchronized
	}
	ts.Detail = linuxDetail(f, ts)
	return ts
}

func linuxDetail(f linuxTimeFacts, ts State) string {
	var parts []string
	if ts.Virtualized != "" {
		parts = append(parts, fmt.Sprintf("This runs in %s, whose clock is the host's: the host keeps it in sync.", virtName(ts.Virtualized)))
	}
	switch {
	case ts.Active:
		parts = append(parts, ts.Service+" is running"+syncedClause(ts.Synchronized)+".")
	case ts.Virtualized != "":
		parts = append(parts, "No time service runs inside it, and none is needed.")
	case f.Timedate != nil && f.Timedate.NTP != nil && !*f.Timedate.NTP:
		parts = append(parts, "Network time synchronization is switched off (timedatectl set-ntp false), so nothing keeps the clock in sync.")
	case ts.Service != "":
		parts = append(parts, ts.Service+" is installed but not running, so nothing keeps the clock in sync.")
	case f.Timedate != nil && f.Timedate.NTP != nil && *f.Timedate.NTP:
		parts = append(parts, "Network time synchronization is switched on, but no time service is running.")
	default:
		parts = append(parts, "No time service (systemd-timesyncd, chrony, ntpd) is running, so nothing keeps the clock in sync.")
	}
	if f.Systemd && f.Timedate == nil && !f.UnitsKnown {
		parts = append(parts, "systemd did not answer; this was judged from the running programs.")
	}
	return strings.Join(parts, " ")
}

// syncedClause adds the OS's own verdict, when it has one.
func syncedClause(synced *bool) string {
	switch {
	case synced == nil:
		return ""
	case *synced:
		return " and the system reports the clock as synchronized"
	}
	return " but has not synchronized the clock yet"
}

// virtName is how a person reads the container kind.
func virtName(v string) string {
	switch v {
	case "wsl":
		return "WSL (Windows Subsystem for Linux)"
	case "docker", "podman", "lxc", "containerd":
		return "a " + strings.ToUpper(v[:1]) + v[1:] + " container"
	case "kubernetes":
		return "a Kubernetes container"
	case "systemd-nspawn":
		return "a systemd-nspawn container"
	}
	return "a container (" + v + ")"
}

// w32TimeState is what Windows says about its time service: the service
// control manager's state and the registry's Parameters\Type, from Group
// Policy (HKLM\SOFTWARE\Policies\Microsoft\W32Time\Parameters) and from
// the service's own key (HKLM\SYSTEM\CurrentControlSet\Services\W32Time\Parameters).
// Plain values, so the verdict is tested on every OS.
type w32TimeState struct {
	Installed    bool   // the W32Time service exists
	Running      bool   // SERVICE_RUNNING (or starting)
	Disabled     bool   // start type SERVICE_DISABLED
	TriggerStart bool   // the service has start triggers (network on, domain join)
	Type         string // service Parameters\Type: NoSync, NTP, NT5DS, AllSync; "" when unreadable
	PolicyType   string // policy Parameters\Type; "" when no policy sets it
}

// effectiveType is the Type W32Time goes by: a Group Policy value wins
// over the service's own, which "w32tm /config" and the Settings app write
// and the policy overrides.
func (s w32TimeState) effectiveType() (typ string, byPolicy bool) {
	if p := strings.TrimSpace(s.PolicyType); p != "" {
		return p, true
	}
	return strings.TrimSpace(s.Type), false
}

// w32TimeSource says, for a person, where each Type synchronizes from;
// NoSync is absent on purpose.
var w32TimeSource = map[string]string{
	"ntp":     "an internet time server",
	"nt5ds":   "the domain's time hierarchy",
	"allsync": "all available time sources",
}

// w32TimeVerdict judges W32Time. Outside a domain, W32Time is
// trigger-started: stopped most of the time, started by Windows when the
// network comes up and by a scheduled task. Stopped with triggers and a
// Type that syncs is therefore Active, as on macOS where timed runs only now
// and then: Active means "the OS keeps the clock in sync", and the clock
// check raises clock-unsynced on !Active, which would otherwise alarm nearly
// every home PC. Stopped without triggers is not Active.
func w32TimeVerdict(s w32TimeState) State {
	if !s.Installed {
		return State{Detail: "The Windows Time service is not installed, so nothing keeps the clock in sync."}
	}
	ts := State{Service: "W32Time"}
	typ, byPolicy := s.effectiveType()
	typ = strings.ToLower(typ)
	source, syncs := w32TimeSource[typ]
	switch {
	case typ == "nosync" && byPolicy:
		ts.Detail = "A Group Policy sets Windows Time not to synchronize, so nothing keeps the clock in sync. Whoever manages this computer can change the policy; \"Set time automatically\" cannot override it."
	case typ == "nosync":
		ts.Detail = "Windows Time is set not to synchronize (\"Set time automatically\" is off), so nothing keeps the clock in sync."
	case s.Disabled:
		ts.Detail = "The Windows Time service is disabled, so nothing keeps the clock in sync."
	case s.Running && syncs:
		ts.Active = true
		ts.Detail = "Windows Time is running and synchronizes with " + source + "."
	case s.Running:
		ts.Active = true
		ts.Detail = "Windows Time is running."
	case syncs && s.TriggerStart:
		ts.Active = true
		ts.Detail = "Windows Time is set to synchronize with " + source + " and is stopped between synchronizations: Windows starts it when the network comes up and on a schedule. That is normal outside a company domain."
	case syncs:
		ts.Detail = "Windows Time is set to synchronize with " + source + " but the service is stopped, so the clock is not being synchronized now."
	default:
		ts.Detail = "The Windows Time service is stopped, so the clock is not being synchronized now."
	}
	return ts
}

// parseUsingNetworkTime reads `systemsetup -getusingnetworktime`:
// "Network Time: On" or "Network Time: Off". ok is false for anything else,
// such as the refusal printed without administrator rights.
func parseUsingNetworkTime(out []byte) (on, ok bool) {
	for _, line := range platform.OutputLines(out) {
		k, v, found := strings.Cut(line, ":")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "Network Time") {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "on":
			return true, true
		case "off":
			return false, true
		}
	}
	return false, false
}

// macVerdict judges the "Set time and date automatically" setting.
func macVerdict(on bool) State {
	if on {
		return State{Service: "timed", Active: true, Detail: "\"Set time and date automatically\" is on."}
	}
	return State{Service: "timed", Detail: "\"Set time and date automatically\" is off, so nothing keeps the clock in sync."}
}

// cgroupPath returns the path of a /proc/PID/cgroup line
// "ID:CONTROLLERS:PATH"; the path may itself contain colons.
func cgroupPath(line string) string {
	_, rest, _ := strings.Cut(line, ":")
	_, path, _ := strings.Cut(rest, ":")
	return path
}

// quoteOutput shortens output quoted in an error.
func quoteOutput(b []byte) string {
	const max = 120
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
