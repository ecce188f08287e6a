package health

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// at is t0 plus a number of seconds.
func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

// ran is the result of a check that ran and reported fs.
func ran(check string, fs ...finding.Finding) Result {
	return Result{Check: check, Ran: true, Findings: fs}
}

// skipped is the result of a check that could not run.
func skipped(check string) Result { return Result{Check: check} }

// sample makes a finding as a check does, with its check's time as Since.
func sample(d *finding.Definition, now time.Time) finding.Finding {
	return d.New(now, map[string]any{"sample": true})
}

func vpn(now time.Time) finding.Finding     { return sample(finding.VPNActive, now) }
func offline(now time.Time) finding.Finding { return sample(finding.NetworkOffline, now) }
func unreachable(now time.Time) finding.Finding {
	return sample(finding.OpenAIUnreachable, now)
}

func skew(now time.Time, sev finding.Severity) finding.Finding {
	f := finding.ClockSkew.New(now, map[string]any{"offset_seconds": 20.0})
	f.Severity = sev
	return f
}

func codes(fs []finding.Finding) []finding.Code {
	out := []finding.Code{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func wantVisible(t *testing.T, r *Registry, want ...finding.Code) {
	t.Helper()
	if want == nil {
		want = []finding.Code{}
	}
	if got := codes(r.Visible()); !slices.Equal(got, want) {
		t.Fatalf("visible = %v, want %v", got, want)
	}
}

func entryOf(t *testing.T, r *Registry, c finding.Code) Entry {
	t.Helper()
	for _, e := range r.Entries() {
		if e.Finding.Code == c {
			return e
		}
	}
	t.Fatalf("no entry for %s; entries: %v", c, r.Entries())
	return Entry{}
}

func wantState(t *testing.T, r *Registry, c finding.Code, want State) {
	t.Helper()
	if got := entryOf(t, r, c).State; got != want {
		t.Fatalf("%s is %s, want %s", c, got, want)
	}
}

func wantNoEntries(t *testing.T, r *Registry) {
	t.Helper()
	if es := r.Entries(); len(es) != 0 {
		t.Fatalf("entries = %v, want none", es)
	}
}

func TestOneOffGlitchIsNeverVisible(t *testing.T) {
	r := New(Options{})
	v0 := r.Snapshot()

	r.Update(at(0), ran("vpn", vpn(at(0))))
	wantVisible(t, r)
	wantState(t, r, "vpn-active", Pending)

	r.Update(at(5), ran("vpn")) // the confirming re-run no longer sees it
	wantVisible(t, r)
	wantNoEntries(t, r)
	r.Update(at(35), ran("vpn"))
	wantVisible(t, r)

	s := r.Snapshot()
	if s.Version != v0.Version {
		t.Errorf("version moved from %d to %d for a glitch nobody saw", v0.Version, s.Version)
	}
	select {
	case <-v0.Changed:
		t.Error("a glitch nobody saw was announced as a change")
	default:
	}
}

func TestPersistentFindingIsVisibleAfterSecondRun(t *testing.T) {
	r := New(Options{})
	r.Update(at(0), ran("vpn", vpn(at(0))))
	wantVisible(t, r)

	r.Update(at(5), ran("vpn", vpn(at(5))))
	wantVisible(t, r, "vpn-active")
	e := entryOf(t, r, "vpn-active")
	if e.State != Visible || !e.ConfirmedAt.Equal(at(5)) || !e.FirstSeen.Equal(at(0)) {
		t.Errorf("entry = %+v, want visible, first seen at 0 s, confirmed at 5 s", e)
	}
	if e.Peak != finding.Warning || !e.EscalatedAt.IsZero() {
		t.Errorf("peak %q escalated at %v, want warning and never", e.Peak, e.EscalatedAt)
	}
}

func TestConfirmationNeedsALaterRunOfTheSameCheck(t *testing.T) {
	r := New(Options{})
	r.Update(at(0), ran("vpn", vpn(at(0))))
	for _, sec := range []float64{0, 1, 2, 4.999} {
		r.Update(at(sec), ran("vpn", vpn(at(sec))))
		wantVisible(t, r)
		wantState(t, r, "vpn-active", Pending)
	}
	// Time passing is no measurement: another check's run confirms nothing.
	r.Update(at(60), ran("clock"))
	wantVisible(t, r)
	wantState(t, r, "vpn-active", Pending)

	r.Update(at(61), ran("vpn", vpn(at(61))))
	wantVisible(t, r, "vpn-active")
	if since := r.Visible()[0].Since; !since.Equal(at(0)) {
		t.Errorf("since = %v, want the first sighting %v (early re-runs do not restart it)", since, at(0))
	}
}

func TestConfirmAfterIsConfigurable(t *testing.T) {
	r := New(Options{ConfirmAfter: 20 * time.Second})
	r.Update(at(0), ran("vpn", vpn(at(0))))
	r.Update(at(19), ran("vpn", vpn(at(19))))
	wantVisible(t, r)
	r.Update(at(20), ran("vpn", vpn(at(20))))
	wantVisible(t, r, "vpn-active")
}

func TestRunWithoutTheFindingClearsIt(t *testing.T) {
	r := New(Options{})
	r.Update(at(0), ran("vpn", vpn(at(0))), ran("clock", skew(at(0), finding.Warning)))
	r.Update(at(5), ran("vpn", vpn(at(5))), ran("clock", skew(at(5), finding.Warning)))
	wantVisible(t, r, "clock-skew", "vpn-active")
	s := r.Snapshot()

	r.Update(at(35), ran("vpn"), ran("clock", skew(at(35), finding.Warning)))
	wantVisible(t, r, "clock-skew")
	select {
	case <-s.Changed:
	default:
		t.Fatal("clearing a visible finding did not signal a change")
	}
	if v := r.Snapshot().Version; v != s.Version+1 {
		t.Errorf("version = %d, want %d", v, s.Version+1)
	}

	// Back later: a new problem, pending again, with a new since.
	r.Update(at(40), ran("vpn", vpn(at(40))))
	wantVisible(t, r, "clock-skew")
	wantState(t, r, "vpn-active", Pending)
	r.Update(at(45), ran("vpn", vpn(at(45))))
	wantVisible(t, r, "clock-skew", "vpn-active")
	if e := entryOf(t, r, "vpn-active"); !e.Finding.Since.Equal(at(40)) {
		t.Errorf("since = %v, want %v", e.Finding.Since, at(40))
	}
}

func TestSkippedCheckClearsNothing(t *testing.T) {
	r := New(Options{})
	r.Update(at(0), ran("endpoints", unreachable(at(0))), ran("vpn", vpn(at(0))))
	r.Update(at(5), ran("endpoints", unreachable(at(5))))
	wantVisible(t, r, "openai-unreachable")
	wantState(t, r, "vpn-active", Pending)

	r.Update(at(10), skipped("endpoints"), skipped("vpn"))
	wantVisible(t, r, "openai-unreachable")
	wantState(t, r, "vpn-active", Pending)

	// Findings sent with a skipped result are not measurements either.
	r.Update(at(12), Result{Check: "vpn", Findings: []finding.Finding{vpn(at(12))}})
	wantState(t, r, "vpn-active", Pending)

	r.Update(at(15), ran("vpn", vpn(at(15))))
	wantVisible(t, r, "openai-unreachable", "vpn-active")
}

func TestOfflineSuppressesDependents(t *testing.T) {
	r := New(Options{})
	r.Update(at(0), ran("network"), ran("endpoints", unreachable(at(0))), ran("vpn", vpn(at(0))))
	r.Update(at(5), ran("network"), ran("endpoints", unreachable(at(5))), ran("vpn", vpn(at(5))))
	wantVisible(t, r, "openai-unreachable", "vpn-active")

	// Offline: the endpoints check is skipped. An unconfirmed cause hides
	// nothing yet.
	r.Update(at(30), ran("network", offline(at(30))), skipped("endpoints"), ran("vpn", vpn(at(30))))
	wantVisible(t, r, "openai-unreachable", "vpn-active")

	r.Update(at(35), ran("network", offline(at(35))), skipped("endpoints"), ran("vpn", vpn(at(35))))
	wantVisible(t, r, "network-offline", "vpn-active") // vpn-active does not need the network
	wantState(t, r, "openai-unreachable", Suppressed)
	if _, _, ok := r.NextConfirmation(); ok {
		t.Error("a suppressed finding asks for a re-run while the cause lasts")
	}

	// Back online, and the endpoints check, run in the same cycle, still
	// sees the problem: it is the same problem, shown at once.
	r.Update(at(65), ran("network"), ran("endpoints", unreachable(at(65))), ran("vpn", vpn(at(65))))
	wantVisible(t, r, "openai-unreachable", "vpn-active")
	e := entryOf(t, r, "openai-unreachable")
	if !e.Finding.Since.Equal(at(0)) || e.Finding.ID != "openai-unreachable" {
		t.Errorf("returned as id %q since %v, want the original id and since %v", e.Finding.ID, e.Finding.Since, at(0))
	}
}

func TestDependentReturnsOnlyWhenItsCheckSeesItAgain(t *testing.T) {
	setup := func(t *testing.T) *Registry {
		t.Helper()
		r := New(Options{})
		for _, s := range []float64{0, 5} {
			r.Update(at(s), ran("network"), ran("endpoints", unreachable(at(s))))
		}
		for _, s := range []float64{30, 35} {
			r.Update(at(s), ran("network", offline(at(s))), skipped("endpoints"))
		}
		wantVisible(t, r, "network-offline")
		wantState(t, r, "openai-unreachable", Suppressed)

		// Only the network check runs (a fix's re-check, a confirmation):
		// the cause is gone, the dependent's last measurement predates that.
		r.Update(at(40), ran("network"))
		wantVisible(t, r)
		wantState(t, r, "openai-unreachable", Rechecking)
		when, checks, ok := r.NextConfirmation()
		if !ok || !when.Equal(at(40)) || !slices.Equal(checks, []string{"endpoints"}) {
			t.Fatalf("next confirmation = %v %v %v, want endpoints at once (%v)", when, checks, ok, at(40))
		}
		return r
	}
	t.Run("still there", func(t *testing.T) {
		r := setup(t)
		r.Update(at(41), ran("endpoints", unreachable(at(41))))
		wantVisible(t, r, "openai-unreachable")
		if since := r.Visible()[0].Since; !since.Equal(at(0)) {
			t.Errorf("since = %v, want %v", since, at(0))
		}
	})
	t.Run("gone", func(t *testing.T) {
		r := setup(t)
		r.Update(at(41), ran("endpoints"))
		wantVisible(t, r)
		wantNoEntries(t, r)
	})
	t.Run("skipped", func(t *testing.T) {
		r := setup(t)
		r.Update(at(41), skipped("endpoints"))
		wantVisible(t, r)
		wantState(t, r, "openai-unreachable", Rechecking)
		when, _, _ := r.NextConfirmation()
		if !when.Equal(at(46)) {
			t.Errorf("after a skipped re-run, next confirmation at %v, want %v", when, at(46))
		}
	})
}

func TestExplainedByHidesAnInstance(t *testing.T) {
	r := New(Options{})
	tls := sample(finding.TLSIntercepted, at(0))
	tls.ExplainedBy = []*finding.Definition{finding.DNSFailure} // an instance-level cause
	for _, s := range []float64{0, 5} {
		tls.Since = at(s)
		r.Update(at(s), ran("endpoints", tls), ran("dns", sample(finding.DNSFailure, at(s))))
	}
	wantVisible(t, r, "dns-failure")
	wantState(t, r, "tls-intercepted", Suppressed)
}

func TestEscalationIsShownAtOnce(t *testing.T) {
	r := New(Options{})
	r.Update(at(0), ran("clock", skew(at(0), finding.Warning)))
	// Rising while pending shows nothing yet.
	r.Update(at(2), ran("clock", skew(at(2), finding.Critical)))
	wantVisible(t, r)
	r.Update(at(5), ran("clock", skew(at(5), finding.Warning)))
	if e := entryOf(t, r, "clock-skew"); e.Finding.Severity != finding.Warning || e.Peak != finding.Warning || !e.EscalatedAt.IsZero() {
		t.Fatalf("confirmed entry = %+v, want warning, peak warning, no escalation", e)
	}
	s := r.Snapshot()

	r.Update(at(35), ran("clock", skew(at(35), finding.Critical)))
	vis := r.Visible()
	if len(vis) != 1 || vis[0].Severity != finding.Critical {
		t.Fatalf("visible = %+v, want clock-skew critical at once", vis)
	}
	e := entryOf(t, r, "clock-skew")
	if e.Peak != finding.Critical || !e.EscalatedAt.Equal(at(35)) || !e.Finding.Since.Equal(at(0)) {
		t.Errorf("entry = %+v, want peak critical, escalated at 35 s, since 0 s", e)
	}
	select {
	case <-s.Changed:
	default:
		t.Error("an escalation did not signal a change")
	}

	// Falling back and rising to the same peak is not a new escalation.
	r.Update(at(65), ran("clock", skew(at(65), finding.Warning)))
	r.Update(at(95), ran("clock", skew(at(95), finding.Critical)))
	if e := entryOf(t, r, "clock-skew"); !e.EscalatedAt.Equal(at(35)) {
		t.Errorf("escalated at %v, want still %v", e.EscalatedAt, at(35))
	}
}

func TestIDAndSinceAreStable(t *testing.T) {
	r := New(Options{})
	var versions []uint64
	for i := range 10 {
		now := at(float64(5 * i))
		r.Update(now, ran("vpn", vpn(now))) // each report carries its own Since
		versions = append(versions, r.Snapshot().Version)
	}
	vis := r.Visible()
	if len(vis) != 1 || vis[0].ID != "vpn-active" || !vis[0].Since.Equal(at(0)) {
		t.Fatalf("visible = %+v, want id vpn-active since %v", vis, at(0))
	}
	// One change (it became visible), not one per run.
	if versions[len(versions)-1] != versions[0]+1 {
		t.Errorf("versions %v: want exactly one change", versions)
	}
}

func TestEvidenceChangeIsAChange(t *testing.T) {
	r := New(Options{})
	r.Update(at(0), ran("clock", skew(at(0), finding.Warning)))
	r.Update(at(5), ran("clock", skew(at(5), finding.Warning)))
	v := r.Snapshot().Version
	f := skew(at(35), finding.Warning)
	f.Evidence["offset_seconds"] = 21.0
	r.Update(at(35), ran("clock", f))
	if got := r.Snapshot().Version; got != v+1 {
		t.Errorf("version = %d, want %d: an ETag would hide the new evidence", got, v+1)
	}
}

func TestNextConfirmation(t *testing.T) {
	r := New(Options{})
	if _, _, ok := r.NextConfirmation(); ok {
		t.Fatal("an empty registry wants a confirmation")
	}
	r.Update(at(0), ran("vpn", vpn(at(0))), ran("clock", skew(at(0), finding.Warning)))
	r.Update(at(1), ran("endpoints", unreachable(at(1))))
	want := func(when time.Time, checks ...string) {
		t.Helper()
		w, c, ok := r.NextConfirmation()
		if !ok || !w.Equal(when) || !slices.Equal(c, checks) {
			t.Fatalf("next confirmation = %v %v %v, want %v %v", w, c, ok, when, checks)
		}
	}
	want(at(5), "clock", "vpn")

	r.Update(at(2), ran("vpn", vpn(at(2)))) // too early: still due at 5 s
	want(at(5), "clock", "vpn")

	r.Update(at(5), ran("vpn", vpn(at(5))), skipped("clock"))
	want(at(6), "endpoints")
	r.Update(at(6), skipped("endpoints"))
	want(at(10), "clock")
	r.Update(at(10), ran("clock", skew(at(10), finding.Warning)))
	want(at(11), "endpoints")
	r.Update(at(11), ran("endpoints", unreachable(at(11))))
	if w, c, ok := r.NextConfirmation(); ok {
		t.Errorf("everything is confirmed, yet next confirmation = %v %v", w, c)
	}
}

func TestNextConfirmationWaitsOutAConfirmedCause(t *testing.T) {
	r := New(Options{})
	r.Update(at(0), ran("network", offline(at(0))))
	r.Update(at(5), ran("network", offline(at(5))))
	r.Update(at(6), ran("endpoints", unreachable(at(6)))) // pending, explained by offline
	if w, c, ok := r.NextConfirmation(); ok {
		t.Fatalf("next confirmation = %v %v while the machine is offline", w, c)
	}
	r.Update(at(30), ran("network"))
	w, c, ok := r.NextConfirmation()
	if !ok || !w.Equal(at(11)) || !slices.Equal(c, []string{"endpoints"}) {
		t.Errorf("next confirmation = %v %v %v, want endpoints at %v (overdue: at once)", w, c, ok, at(11))
	}
}

func TestActive(t *testing.T) {
	r := New(Options{})
	if r.Active() {
		t.Fatal("empty registry is active")
	}
	info := sample(finding.DNSPublicActive, at(0))
	r.Update(at(0), ran("dns", info))
	r.Update(at(5), ran("dns", info))
	if r.Active() {
		t.Error("an info finding makes the registry active")
	}
	r.Update(at(6), ran("vpn", vpn(at(6))))
	if !r.Active() {
		t.Error("a pending warning does not make the registry active")
	}
	r.Update(at(7), ran("vpn"))
	if r.Active() {
		t.Error("still active after the warning cleared")
	}
}

func TestReadersCannotChangeTheState(t *testing.T) {
	r := New(Options{})
	r.Update(at(0), ran("vpn", vpn(at(0))))
	r.Update(at(5), ran("vpn", vpn(at(5))))
	vis := r.Visible()
	vis[0].Evidence["sample"] = "changed"
	vis[0].Fixes = append(vis[0].Fixes, "x")
	if got := r.Visible()[0].Evidence["sample"]; got != true {
		t.Errorf("evidence after a reader wrote to its copy = %v", got)
	}
}

func TestVersionsDifferAcrossRegistries(t *testing.T) {
	// An ETag from a restarted agent must not match one from before.
	a, b := New(Options{}).Snapshot().Version, New(Options{}).Snapshot().Version
	if a == b {
		t.Errorf("two registries start at the same version %d", a)
	}
}

func TestConcurrentUse(t *testing.T) {
	r := New(Options{ConfirmAfter: time.Second})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				now := at(float64(i))
				if (i+w)%3 == 0 {
					r.Update(now, ran("vpn", vpn(now)), ran("network"))
				} else {
					r.Update(now, ran("vpn"), skipped("network"))
				}
			}
		})
		wg.Go(func() {
			for range 200 {
				s := r.Snapshot()
				for _, f := range s.Findings {
					f.Evidence["reader"] = w
				}
				r.Entries()
				r.NextConfirmation()
				r.Active()
			}
		})
	}
	wg.Wait()
}

// A passive finding's warning is shown like any other but does not make the
// registry Active: nothing is gained by re-checking it every 30 s.
func TestPassiveFindingsDoNotMakeItActive(t *testing.T) {
	r := New(Options{})
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	bad := finding.ConfigInvalid.New(now, nil)
	r.Update(now, Result{Check: "agent", Ran: true, Findings: []finding.Finding{bad}})
	r.Update(now.Add(6*time.Second), Result{Check: "agent", Ran: true, Findings: []finding.Finding{bad}})
	if len(r.Visible()) != 1 {
		t.Fatalf("the passive finding is not shown: %v", r.Visible())
	}
	if r.Active() {
		t.Fatal("a passive finding's warning made the registry active")
	}
	r.Update(now.Add(7*time.Second), Result{Check: "vpn", Ran: true, Findings: []finding.Finding{finding.VPNActive.New(now, nil)}})
	if !r.Active() {
		t.Fatal("a pending warning of another check did not make it active")
	}
}

// A finding that sets its own confirmation delay waits for it; the others
// wait for the registry's.
func TestFindingsConfirmAfterTheirOwnDelay(t *testing.T) {
	r := New(Options{ConfirmAfter: 5 * time.Second})
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	feed := func(s time.Duration) {
		r.Update(now.Add(s), Result{Check: "clock", Ran: true, Findings: []finding.Finding{
			finding.ClockUnsynced.New(now, nil), finding.ClockSkew.New(now, nil),
		}})
	}
	feed(0)
	if at, _, ok := r.NextConfirmation(); !ok || !at.Equal(now.Add(5*time.Second)) {
		t.Fatalf("next confirmation %v %v, want the registry's 5 s first", at, ok)
	}
	feed(6 * time.Second)
	if got := codesOf(r.Visible()); len(got) != 1 || got[0] != finding.ClockSkew.Code {
		t.Fatalf("after 6 s: %v, want only clock-skew (clock-unsynced waits %v)", got, finding.ClockUnsynced.ConfirmAfter)
	}
	if at, _, ok := r.NextConfirmation(); !ok || !at.Equal(now.Add(finding.ClockUnsynced.ConfirmAfter)) {
		t.Errorf("next confirmation %v %v, want clock-unsynced's own", at, ok)
	}
	feed(finding.ClockUnsynced.ConfirmAfter)
	if got := r.Visible(); len(got) != 2 {
		t.Errorf("after its own delay: %v, want both", codesOf(got))
	}
}

func codesOf(fs []finding.Finding) []finding.Code {
	var out []finding.Code
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}
