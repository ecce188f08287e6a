package timesync

import (
	"strings"
	"testing"
)

// Group Policy writes Parameters\Type under
// HKLM\SOFTWARE\Policies\Microsoft\W32Time\Parameters ("Configure Windows
// NTP Client"), and W32Time goes by it over the service key's Type. The
// states are constructed from that documented precedence.
func TestW32TimeVerdictPolicyType(t *testing.T) {
	tests := []struct {
		name      string
		state     w32TimeState
		active    bool
		detailHas string
	}{
		{"policy NoSync over service NTP", w32TimeState{Installed: true, Running: true, Type: "NTP", PolicyType: "NoSync"}, false, "Group Policy"},
		{"policy NT5DS over service NoSync", w32TimeState{Installed: true, Running: true, Type: "NoSync", PolicyType: "NT5DS"}, true, "domain"},
		{"policy NTP over service NT5DS, trigger-started", w32TimeState{Installed: true, TriggerStart: true, Type: "NT5DS", PolicyType: "NTP"}, true, "internet time server"},
		{"blank policy value falls back", w32TimeState{Installed: true, Running: true, Type: "NoSync", PolicyType: "  "}, false, "\"Set time automatically\" is off"},
		{"no policy, service key decides", w32TimeState{Installed: true, Running: true, Type: "AllSync"}, true, "all available time sources"},
		{"policy only, service key unreadable", w32TimeState{Installed: true, PolicyType: "nosync"}, false, "Group Policy"},
	}
	for _, tt := range tests {
		ts := w32TimeVerdict(tt.state)
		if ts.Service != "W32Time" || ts.Active != tt.active || !strings.Contains(ts.Detail, tt.detailHas) {
			t.Errorf("%s: got %+v; want active %v, detail with %q", tt.name, ts, tt.active, tt.detailHas)
		}
	}
}
