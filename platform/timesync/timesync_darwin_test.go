package timesync

import (
	"context"
	"strings"
	"testing"

	"github.com/clearance-app/clearance/platform"
)

// On macOS only the setting counts: when systemsetup cannot read it (it
// needs administrator rights), the answer is unknown — an error, which the
// clock check shows without raising clock-unsynced.
func TestDarwinTimeSyncStatus(t *testing.T) {
	const setup = "/usr/sbin/systemsetup -getusingnetworktime"
	tests := []struct {
		name      string
		answer    scriptedAnswer
		active    bool
		detailHas string
		errHas    string
	}{
		{"on", scriptedAnswer{fixture: "systemsetup-on.txt"}, true, "is on", ""},
		{"off", scriptedAnswer{fixture: "systemsetup-off.txt"}, false, "is off", ""},
		{"not admin", scriptedAnswer{fixture: "systemsetup-not-admin.txt", err: &platform.ExitError{Code: 1}}, false, "", "needs administrator rights"},
	}
	for _, tt := range tests {
		ts, err := timeSyncStatus(context.Background(), scriptedRunner{t: t, answers: map[string]scriptedAnswer{setup: tt.answer}}, nil)
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("%s: err %v, want one saying %q", tt.name, err, tt.errHas)
			}
			continue
		}
		if err != nil || ts.Active != tt.active || !strings.Contains(ts.Detail, tt.detailHas) {
			t.Errorf("%s: got %+v, %v; want active %v, detail with %q", tt.name, ts, err, tt.active, tt.detailHas)
		}
	}
}
