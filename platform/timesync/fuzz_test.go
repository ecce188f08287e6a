package timesync

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// What the time services' tools print (timedatectl, systemctl,
// systemsetup) and what /proc says about chronyd and containers: none may
// panic the check, and every verdict has words for a person.

// FuzzLinuxTimeStatus runs timedatectl's and systemctl's output through
// parsing and the verdict.
func FuzzLinuxTimeStatus(f *testing.F) {
	for _, td := range []string{"synced", "not-yet", "ntp-off", "no-systemd"} {
		for _, sc := range []string{"chrony", "chrony-stopped", "timesyncd"} {
			f.Add(platformtest.ReadFixture(f, "timesync", "timedatectl-show-"+td+".txt"),
				platformtest.ReadFixture(f, "timesync", "systemctl-show-"+sc+".txt"), "")
		}
	}
	f.Add([]byte("NTP=maybe\n"), []byte("Id=ntp.service\nLoadState=not-found\n\nId=ntp.service\n"), "chronyd")
	f.Add([]byte("a"+strings.Repeat("é", 100)), []byte{}, "")
	f.Fuzz(func(t *testing.T, timedatectl, systemctl []byte, daemon string) {
		td, err := parseTimedatectlShow(timedatectl)
		switch {
		case err != nil && td != (timedatectlState{}):
			t.Fatalf("%+v with an error (%v)", td, err)
		case err == nil && td == (timedatectlState{}):
			t.Fatal("no property read, and no error")
		case err != nil && utf8.Valid(timedatectl) && !utf8.ValidString(err.Error()):
			t.Fatalf("the error cuts a character of the output in half: %q", err)
		}
		units := parseSystemctlShow(systemctl)
		seen := map[string]bool{}
		for _, u := range units {
			if u.ID == "" || u.LoadState == "not-found" || seen[u.ID] {
				t.Fatalf("unit %+v in %+v", u, units)
			}
			seen[u.ID] = true
		}
		facts := linuxTimeFacts{Systemd: true, Units: units, UnitsKnown: true, Daemon: daemon}
		if err == nil {
			facts.Timedate = &td
		}
		if st := linuxVerdict(facts); st.Detail == "" {
			t.Fatalf("a verdict without words: %+v", st)
		}
	})
}

// FuzzProcTimeFacts reads the data as chronyd's command line, pid 1's
// environment and cgroup, and the kernel release: the facts that tell a
// chronyd that does not keep the clock, or a container whose host does.
func FuzzProcTimeFacts(f *testing.F) {
	f.Add([]byte("/usr/sbin/chronyd\x00-F\x001\x00-x\x00"), []byte("0::/\n"), []byte("6.1.0-28-amd64"))
	f.Add([]byte("chronyd\x00-uxuser\x00-dx\x00"), []byte("12:pids:/docker/abc\n1:name=systemd:/kubepods/x\n"), []byte("5.15.167.4-microsoft-standard-WSL2"))
	f.Add([]byte("container=podman\x00HOME=/\x00"), []byte("0::/lxc.payload.c1\n"), []byte(""))
	f.Fuzz(func(t *testing.T, proc, cgroup, release []byte) {
		if chronydClockOff(proc) && !bytes.Contains(proc, []byte("x")) {
			t.Fatalf("-x found in %q", proc)
		}
		v := envValue(proc, "container")
		if strings.Contains(v, "\x00") {
			t.Fatalf("value %q holds a NUL", v)
		}
		virt := virtualization(virtFacts{Pid1Container: v, Cgroup: string(cgroup), OSRelease: string(release)})
		if virt != strings.TrimSpace(virt) {
			t.Fatalf("virtualization %q", virt)
		}
		if virt != "" && virtName(virt) == "" {
			t.Fatalf("no name for %q", virt)
		}
	})
}

// FuzzParseUsingNetworkTime: `systemsetup -getusingnetworktime` on macOS.
// Only output that says "Network Time" is read as an answer.
func FuzzParseUsingNetworkTime(f *testing.F) {
	platformtest.Seed(f, "timesync/systemsetup-*")
	f.Fuzz(func(t *testing.T, out []byte) {
		on, ok := parseUsingNetworkTime(out)
		if ok && !strings.Contains(strings.ToLower(string(out)), "network time") {
			t.Fatalf("an answer (%v) from %q", on, out)
		}
		if !ok && on {
			t.Fatal("on without an answer")
		}
		if ok && macVerdict(on).Detail == "" {
			t.Fatal("a verdict without words")
		}
	})
}
