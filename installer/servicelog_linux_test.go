package installer

import (
	"slices"
	"testing"
)

// Under systemd the report reads the journal, bounded; under SysV and
// OpenRC the files the init script sends the agent's output to.
func TestServiceLogLinux(t *testing.T) {
	got := serviceLog("linux-systemd", 500)
	if want := []string{"journalctl", "--system", "-u", "clearance", "-n", "500", "--no-pager", "-o", "short-iso"}; got.Backend != "systemd" || !slices.Equal(got.Command, want) || got.Files != nil {
		t.Errorf("systemd: %+v", got)
	}
	for _, p := range []string{"unix-systemv", "linux-openrc"} {
		got := serviceLog(p, 500)
		if want := []string{"/var/log/clearance.log", "/var/log/clearance.err"}; got.Command != nil || !slices.Equal(got.Files, want) {
			t.Errorf("%s: %+v", p, got)
		}
	}
}
