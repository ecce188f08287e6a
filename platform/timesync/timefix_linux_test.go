package timesync

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/internal/platformtest"
)

// SyncService's Linux path on fake trees: the facts gathered (the same
// as Read's, plus ntpd's init script) lead to the exact commands,
// recorded on a dry run.
func TestSyncTimeServiceLinuxTrees(t *testing.T) {
	const (
		timedatectl = "timedatectl show -p NTP -p NTPSynchronized -p CanNTP"
		systemctl   = "systemctl show -p Id -p LoadState -p ActiveState -p UnitFileState -- chrony.service chronyd.service systemd-timesyncd.service ntpsec.service ntp.service ntpd.service openntpd.service"
	)
	tests := []struct {
		root     string
		answers  map[string]platformtest.Answer
		service  string
		commands []string
		errHas   string
	}{
		{
			root:    "timefix/root-openrc-ntpd",
			service: "ntpd", commands: []string{"/etc/init.d/ntpd stop", "ntpd -gq", "/etc/init.d/ntpd start"},
		},
		{
			// The same machine without the init script.
			root: "timesync/root-openrc-ntpd", service: "ntpd", errHas: "neither its systemd unit nor its init script",
		},
		{
			root: "timesync/root-systemd-chrony",
			answers: map[string]platformtest.Answer{
				timedatectl: {Out: platformtest.ReadFixture(t, "timesync", "timedatectl-show-synced.txt")},
				systemctl:   {Out: platformtest.ReadFixture(t, "timesync", "systemctl-show-chrony.txt")},
			},
			service: "chronyd", commands: []string{"chronyc makestep"},
		},
		{
			root: "timesync/root-systemd-stopped",
			answers: map[string]platformtest.Answer{
				timedatectl: {Out: platformtest.ReadFixture(t, "timesync", "timedatectl-show-ntp-off.txt")},
				systemctl:   {Out: platformtest.ReadFixture(t, "timesync", "systemctl-show-chrony-stopped.txt")},
			},
			service: "chronyd", commands: []string{"timedatectl set-ntp true"},
		},
		{root: "timesync/root-debian12-container", errHas: "whose clock is the host's"},
		{root: "timesync/root-wsl2", errHas: "WSL"},
	}
	for _, tt := range tests {
		run := &platformtest.Runner{T: t, Answers: tt.answers}
		f, err := gatherLinuxSyncFacts(context.Background(), run, filepath.Join("testdata", tt.root))
		if err != nil {
			t.Fatalf("%s: %v", tt.root, err)
		}
		ch := platform.NewChanges(run, true)
		service, err := syncLinux(context.Background(), f, ch)
		if (tt.errHas == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.errHas)) || errors.Is(err, ErrNoService) {
			t.Errorf("%s: error %v; want one with %q", tt.root, err, tt.errHas)
		}
		if service != tt.service || !slices.Equal(ch.Commands(), tt.commands) {
			t.Errorf("%s: service %q, commands %q; want %q, %q", tt.root, service, ch.Commands(), tt.service, tt.commands)
		}
	}
}

// The real StepClock, on a dry run only: it records "date -s @SECONDS" for
// now minus the offset and does not touch the clock (a dry-run Changes
// never calls the step).
func TestStepClockDryRunLinux(t *testing.T) {
	ch := platform.NewChanges(&platformtest.Runner{T: t}, true)
	before := time.Now().Add(-92 * time.Second).Unix()
	if err := StepClock(context.Background(), ch, 92*time.Second); err != nil {
		t.Fatal(err)
	}
	after := time.Now().Add(-92 * time.Second).Unix()
	cmds := ch.Commands()
	if len(cmds) != 1 {
		t.Fatalf("recorded %q; want one command", cmds)
	}
	secs, ok := strings.CutPrefix(cmds[0], "date -s @")
	n, err := strconv.ParseInt(secs, 10, 64)
	if !ok || err != nil || n < before || n > after {
		t.Errorf("recorded %q; want date -s @N with N in [%d, %d]", cmds[0], before, after)
	}
}
