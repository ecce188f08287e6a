package agent

import (
	"strings"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/agent/diag/ntpq"
	"github.com/clearance-app/clearance/internal/testworld/ntptest"
)

// noTimeServiceAgent is an agent on a machine without a time service whose
// clock the last run found 92 s ahead, asking servers through a polite
// NTP client.
func noTimeServiceAgent(t *testing.T, servers []*ntptest.Server, listed ...*ntptest.Server) (*Agent, *fakeMachine, *script) {
	t.Helper()
	m := &fakeMachine{syncErr: errNoTimeService}
	a, clock, _ := fixAgent(t, m)
	a.record(time.Now(), []check.CheckReport{{Name: "clock", Status: check.Fail, Data: map[string]any{"offset_seconds": 92.0},
		Findings: []finding.Finding{finding.ClockSkew.New(time.Now(), nil)}}})
	cfg := config.Default()
	cfg.Clock.NTPServers = nil
	for _, s := range append(servers, listed...) {
		cfg.Clock.NTPServers = append(cfg.Clock.NTPServers, s.Addr)
	}
	a.cfg = cfg
	a.env.NTP = &ntpq.Client{}
	return a, m, clock
}

// Without a time service the fix steps the clock by what real servers say:
// the three that agree outvote a falseticker, a kiss-of-death is obeyed,
// and no server is asked twice.
func TestTimeSyncStepsByRealServers(t *testing.T) {
	// The servers are 92 s behind this machine: its clock is 92 s ahead.
	var servers []*ntptest.Server
	for _, off := range []time.Duration{0, 20 * time.Millisecond, 40 * time.Millisecond} {
		servers = append(servers, ntptest.Serve(t, ntptest.Options{Offset: -92*time.Second + off}))
	}
	liar := ntptest.Serve(t, ntptest.Options{Offset: time.Hour})
	kiss := ntptest.Serve(t, ntptest.Options{Kiss: "RATE"})
	servers = append(servers, liar, kiss)
	a, m, clock := noTimeServiceAgent(t, servers)
	clock.set(check.Pass)
	res := runFix(t, a, fix.TimeSync, api.FixOptions{})
	if res.Result != api.Fixed || len(m.stepped) != 1 {
		t.Fatalf("with three servers agreeing: %+v, stepped %v", res, m.stepped)
	}
	if d := m.stepped[0] - (92*time.Second - 20*time.Millisecond); d.Abs() > 500*time.Millisecond {
		t.Errorf("stepped by %v, want the agreeing servers' median, about 91.98 s", m.stepped[0])
	}
	if !strings.Contains(res.Message, "3 time servers") {
		t.Errorf("message %q does not say how the clock was set", res.Message)
	}
	for i, s := range servers {
		if s.Queries() != 1 {
			t.Errorf("server %d asked %d times, want once", i, s.Queries())
		}
	}
}

// Two servers that agree are not three because one of them is listed
// twice: a server votes once, however often the configuration names it.
func TestTimeSyncCountsAServerListedTwiceOnce(t *testing.T) {
	one := ntptest.Serve(t, ntptest.Options{Offset: -92 * time.Second})
	two := ntptest.Serve(t, ntptest.Options{Offset: -92 * time.Second})
	a, m, _ := noTimeServiceAgent(t, []*ntptest.Server{one, two}, one)
	res := runFix(t, a, fix.TimeSync, api.FixOptions{})
	if res.Result != api.Failed || len(m.stepped) != 0 {
		t.Fatalf("two servers, one listed twice: %+v, stepped %v; want no step", res, m.stepped)
	}
	if !strings.Contains(res.Message, "2 of 2 servers answered") {
		t.Errorf("message %q does not count the servers once", res.Message)
	}
	if one.Queries() != 1 {
		t.Errorf("the server listed twice was asked %d times, want once", one.Queries())
	}
}
