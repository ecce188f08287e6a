package agent

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/beevik/ntp"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/host"
)

// fixAgent is an agent (not running its loop) whose clock and dns checks
// are scripted, with a fake machine.
func fixAgent(t *testing.T, m *fakeMachine) (*Agent, *script, *script) {
	t.Helper()
	if !host.IsAdmin() {
		t.Skip("the privileged fixes are only offered to an administrator; run as root")
	}
	clock, dns := newScript("clock"), newScript("dns")
	opts := testOptions(t, clock, dns)
	opts.Machine = m
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a, clock, dns
}

func runFix(t *testing.T, a *Agent, id string, opts api.FixOptions) api.FixResult {
	t.Helper()
	res, err := a.RunFix(t.Context(), id, opts)
	if err != nil {
		t.Fatalf("RunFix(%s): %v", id, err)
	}
	return res
}

func TestDNSFlushNothingToFlush(t *testing.T) {
	a, _, _ := fixAgent(t, &fakeMachine{})
	res := runFix(t, a, fix.DNSFlush, api.FixOptions{})
	if res.Result != api.NotNeeded || !strings.HasPrefix(res.Message, "Nothing to flush") {
		t.Fatalf("no cache: %+v", res)
	}
	if len(res.Commands) != 0 {
		t.Fatalf("commands ran with nothing to flush: %v", res.Commands)
	}
}

func TestDNSFlushVerifiesByCheckingAgain(t *testing.T) {
	m := &fakeMachine{flushed: []dnsconf.ResolverKind{dnsconf.ResolverSystemdResolved}}
	a, _, dns := fixAgent(t, m)
	dns.set(check.Fail, finding.DNSFailure)
	res := runFix(t, a, fix.DNSFlush, api.FixOptions{})
	if res.Result != api.Failed || !strings.Contains(res.Message, "the problem remains") {
		t.Fatalf("a flush after which DNS still fails: %+v", res)
	}
	if !slices.Equal(res.Commands, []string{"resolvectl flush-caches"}) {
		t.Fatalf("commands %q", res.Commands)
	}
	dns.set(check.Pass)
	res = runFix(t, a, fix.DNSFlush, api.FixOptions{})
	if res.Result != api.Fixed || res.Message != "Flushed the systemd-resolved cache." {
		t.Fatalf("a flush that worked: %+v", res)
	}
	if dns.count() != 2 {
		t.Fatalf("the dns check ran %d times, want once per fix", dns.count())
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	m := &fakeMachine{}
	a, _, dns := fixAgent(t, m)
	res := runFix(t, a, fix.DNSPublic, api.FixOptions{DryRun: true})
	if res.Result != api.Fixed || !strings.HasPrefix(res.Message, "Dry run") {
		t.Fatalf("dry run: %+v", res)
	}
	if !slices.Equal(res.Commands, []string{"resolvectl dns eth0 1.1.1.1"}) {
		t.Fatalf("dry run commands %q", res.Commands)
	}
	if on, _, _ := m.PublicDNS(); on {
		t.Fatal("a dry run switched DNS")
	}
	if dns.count() != 0 {
		t.Fatal("a dry run verified (ran the check)")
	}
}

// Under synctest: the verification waits for resolvers to see the change.
func TestDNSPublicNeedsConfirmAndRestores(t *testing.T) {
	synctest.Test(t, testDNSPublicNeedsConfirmAndRestores)
}

func testDNSPublicNeedsConfirmAndRestores(t *testing.T) {
	m := &fakeMachine{}
	a, _, _ := fixAgent(t, m)
	res := runFix(t, a, fix.DNSPublic, api.FixOptions{})
	if res.Result != api.Failed || !strings.Contains(res.Message, "Confirm") || len(res.Commands) != 0 {
		t.Fatalf("dns-public without confirm: %+v", res)
	}
	res = runFix(t, a, fix.DNSPublic, api.FixOptions{Confirm: true})
	if res.Result != api.Fixed {
		t.Fatalf("dns-public: %+v", res)
	}
	// dns-public-active is raised (pending until confirmed, as every finding).
	var seen bool
	for _, e := range a.Entries() {
		if e.Finding.Code == finding.DNSPublicActive.Code {
			seen = true
			if e.Finding.Evidence["interface"] != "eth0" {
				t.Fatalf("dns-public-active evidence %v", e.Finding.Evidence)
			}
		}
	}
	if !seen {
		t.Fatal("no dns-public-active after switching")
	}
	res = runFix(t, a, fix.DNSPublic, api.FixOptions{Confirm: true})
	if res.Result != api.Failed || !strings.Contains(res.Message, "already in effect") {
		t.Fatalf("a second dns-public: %+v", res)
	}
	res = runFix(t, a, fix.DNSRestore, api.FixOptions{})
	if res.Result != api.Fixed || m.restored != 1 {
		t.Fatalf("dns-restore: %+v (restored %d)", res, m.restored)
	}
	for _, e := range a.Entries() {
		if e.Finding.Code == finding.DNSPublicActive.Code {
			t.Fatal("dns-public-active stayed after the restore")
		}
	}
	res = runFix(t, a, fix.DNSRestore, api.FixOptions{})
	if res.Result != api.NotNeeded {
		t.Fatalf("a second restore: %+v", res)
	}
}

func TestTimeSyncThroughTheService(t *testing.T) {
	m := &fakeMachine{service: "chronyd"}
	a, clock, _ := fixAgent(t, m)
	// The agent's last run measured the clock 92 s ahead.
	clock.set(check.Fail, finding.ClockSkew)
	a.record(time.Now(), []check.CheckReport{{Name: "clock", Status: check.Fail, Data: map[string]any{"offset_seconds": 92.4},
		Findings: []finding.Finding{finding.ClockSkew.New(time.Now(), nil)}}})
	clock.set(check.Pass)
	res := runFix(t, a, fix.TimeSync, api.FixOptions{})
	if res.Result != api.Fixed || res.Message != "Clock corrected: it was 92 seconds ahead (corrected by chronyd)." {
		t.Fatalf("time-sync: %+v", res)
	}
	if !slices.Equal(res.Commands, []string{"chronyc makestep"}) || len(m.stepped) != 0 {
		t.Fatalf("commands %q, stepped %v", res.Commands, m.stepped)
	}
	// Still off afterwards: failed, said so.
	a.record(time.Now(), []check.CheckReport{{Name: "clock", Status: check.Fail, Data: map[string]any{"offset_seconds": 92.4},
		Findings: []finding.Finding{finding.ClockSkew.New(time.Now(), nil)}}})
	clock.set(check.Fail, finding.ClockSkew)
	res = runFix(t, a, fix.TimeSync, api.FixOptions{})
	if res.Result != api.Failed || !strings.Contains(res.Message, "still off") {
		t.Fatalf("time-sync that did not help: %+v", res)
	}
}

func TestTimeSyncNotNeeded(t *testing.T) {
	m := &fakeMachine{service: "chronyd"}
	a, _, _ := fixAgent(t, m)
	a.record(time.Now(), []check.CheckReport{{Name: "clock", Status: check.Pass, Summary: "off by 0.01 s"}})
	res := runFix(t, a, fix.TimeSync, api.FixOptions{})
	if res.Result != api.NotNeeded || len(m.calls) != 0 {
		t.Fatalf("a right clock: %+v, machine asked %v", res, m.calls)
	}
}

// fakeNTP answers with fixed offsets per server (local − true).
type fakeNTP map[string]time.Duration

func (f fakeNTP) Query(_ context.Context, s string) (*ntp.Response, error) {
	off, ok := f[s]
	if !ok {
		return nil, context.DeadlineExceeded
	}
	now := time.Now()
	return &ntp.Response{ClockOffset: -off, Stratum: 2, Time: now, ReferenceTime: now.Add(-time.Minute),
		RootDistance: time.Millisecond, RTT: time.Millisecond, Precision: time.Microsecond}, nil
}

func TestTimeSyncStepsOnlyByConsensus(t *testing.T) {
	m := &fakeMachine{syncErr: errNoTimeService}
	a, clock, _ := fixAgent(t, m)
	a.record(time.Now(), []check.CheckReport{{Name: "clock", Status: check.Fail, Data: map[string]any{"offset_seconds": 92.0},
		Findings: []finding.Finding{finding.ClockSkew.New(time.Now(), nil)}}})
	cfg := config.Default()
	cfg.Clock.NTPServers = []string{"a", "b", "c", "d"}
	a.cfg = cfg

	// Two agree, two are far apart: no step.
	a.env.NTP = fakeNTP{"a": 92 * time.Second, "b": 92*time.Second + 50*time.Millisecond, "c": 80 * time.Second, "d": 100 * time.Second}
	res := runFix(t, a, fix.TimeSync, api.FixOptions{})
	if res.Result != api.Failed || len(m.stepped) != 0 || !strings.Contains(res.Message, "at least 3 time servers agree") {
		t.Fatalf("without a quorum: %+v, stepped %v", res, m.stepped)
	}
	// Three agree within 100 ms: stepped by their median.
	a.env.NTP = fakeNTP{"a": 92 * time.Second, "b": 92*time.Second + 60*time.Millisecond, "c": 92*time.Second + 90*time.Millisecond, "d": 10 * time.Second}
	clock.set(check.Pass)
	res = runFix(t, a, fix.TimeSync, api.FixOptions{})
	if res.Result != api.Fixed || len(m.stepped) != 1 {
		t.Fatalf("with a quorum: %+v, stepped %v", res, m.stepped)
	}
	if d := m.stepped[0] - (92*time.Second + 60*time.Millisecond); d.Abs() > 10*time.Millisecond {
		t.Fatalf("stepped by %v, want the agreeing servers' median 92.06 s", m.stepped[0])
	}
	if !strings.Contains(res.Message, "3 time servers") {
		t.Fatalf("message %q does not say how the clock was set", res.Message)
	}
}

func TestFixesList(t *testing.T) {
	a, _, _ := fixAgent(t, &fakeMachine{})
	byID := map[string]api.FixStatus{}
	for _, f := range a.Fixes(t.Context()) {
		byID[f.ID] = f
	}
	if len(byID) != len(fix.All) {
		t.Fatalf("Fixes lists %d fixes, want all %d", len(byID), len(fix.All))
	}
	if !byID[fix.DNSFlush].Available || byID[fix.OpenStatusPage].Available || byID[fix.OpenStatusPage].Reason == "" {
		t.Fatalf("availability: %+v", byID)
	}
	// An administrator switches them off: the next question sees it, with
	// no restart and no wait for the next run.
	a.opts.Config = func() (config.Config, error) {
		c := config.Default()
		c.Agent.PrivilegedFixes = false
		return c, nil
	}
	for _, f := range a.Fixes(t.Context()) {
		switch f.ID {
		case fix.DNSFlush, fix.TimeSync, fix.DNSPublic:
			if f.Available || !strings.Contains(f.Reason, "privileged_fixes") {
				t.Fatalf("%s with privileged fixes off: %+v", f.ID, f)
			}
		case fix.DNSRestore:
			if !f.Available {
				t.Fatal("restoring DNS must stay possible when privileged fixes are switched off")
			}
		}
	}
}

// A fix whose check cannot run afterwards says it could not be verified,
// instead of passing an empty result off as success.
func TestUnverifiedFixSaysSo(t *testing.T) {
	m := &fakeMachine{flushed: []dnsconf.ResolverKind{dnsconf.ResolverSystemdResolved}}
	a, _, dns := fixAgent(t, m)
	dns.set(check.Skip)
	res := runFix(t, a, fix.DNSFlush, api.FixOptions{})
	if !strings.Contains(res.Message, "could not be checked afterwards") || !strings.Contains(res.Message, "was skipped") {
		t.Fatalf("a flush whose check was skipped: %+v", res)
	}
}
