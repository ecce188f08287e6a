package platform

import (
	"context"
	"strings"
	"testing"
)

// The command flow on macOS: systemsetup first; pgrep only when systemsetup
// gives no answer.
func TestDarwinTimeSyncStatus(t *testing.T) {
	const setup, pgrep = "/usr/sbin/systemsetup -getusingnetworktime", "/usr/bin/pgrep -x timed"
	tests := []struct {
		name      string
		answers   map[string]scriptedAnswer
		active    bool
		detailHas string
	}{
		{"on", map[string]scriptedAnswer{setup: {fixture: "systemsetup-on.txt"}}, true, "is on"},
		{"off", map[string]scriptedAnswer{setup: {fixture: "systemsetup-off.txt"}}, false, "is off"},
		{"not admin, timed runs", map[string]scriptedAnswer{
			setup: {fixture: "systemsetup-not-admin.txt"},
			pgrep: {},
		}, true, "administrator rights"},
		{"not admin, timed idle", map[string]scriptedAnswer{
			setup: {fixture: "systemsetup-not-admin.txt", err: &ExitError{Code: 1}},
			pgrep: {err: &ExitError{Code: 1}},
		}, false, "not running right now"},
	}
	for _, tt := range tests {
		ts, err := timeSyncStatus(context.Background(), scriptedRunner{t: t, answers: tt.answers})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ts.Active != tt.active || !strings.Contains(ts.Detail, tt.detailHas) {
			t.Errorf("%s: got %+v; want active %v, detail with %q", tt.name, ts, tt.active, tt.detailHas)
		}
	}
}
