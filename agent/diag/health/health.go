// Package health decides which findings a person sees. Check results are fed
// in as they arrive; a new finding stays pending until a later run of its
// check confirms it, a finding clears as soon as a run of its check no
// longer reports it, and findings explained by a confirmed cause are
// suppressed. The agent serves what this package calls visible.
//
// It keeps no clock, goroutine or timer of its own: the caller (the agent's
// scheduler) passes the time of every result, and asks NextConfirmation when
// to run a check again and Active whether to check more often. It must not
// run checks itself, and it does not decide what is a problem: that is the
// checks' and the finding package's job.
package health

import (
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
)

// DefaultConfirmAfter is how long after a finding is first seen a run of its
// check may confirm it: long enough to outlast a one-off glitch (a dropped
// packet, a server restarting), short enough that a VPN coming up is
// announced within about 10 s.
const DefaultConfirmAfter = 5 * time.Second

// Options configure a Registry.
type Options struct {
	// ConfirmAfter is the least time between a finding's first sighting and
	// the run of its check that confirms it, for findings that do not set
	// their own (finding.Definition.ConfirmAfter). Zero or less means
	// DefaultConfirmAfter.
	ConfirmAfter time.Duration
}

// Result is what one run of one check reported, as fed to Update.
type Result struct {
	// Check is the check's name. Each finding belongs to the check whose
	// result reported it: only a run of that check can confirm or clear it.
	Check string
	// Ran is false when the check gave no verdict: skipped (the machine is
	// offline, the deadline passed) or failed to run (check.Skip and
	// check.Error). Such a result clears nothing and confirms nothing, since
	// the check could not see; its Findings are ignored.
	Ran bool
	// Findings are everything the check reported, before any hiding: the
	// registry suppresses dependents itself. (Findings already dropped as
	// explained, as check.Report.Findings are, would be cleared here, and
	// would need a new confirmation once their cause is gone.)
	Findings []finding.Finding
}

// State is where a finding stands.
type State string

const (
	// Pending: seen, not yet confirmed by a later run of its check.
	Pending State = "pending"
	// Visible: confirmed, and shown.
	Visible State = "visible"
	// Suppressed: confirmed, but explained by another confirmed finding
	// (finding.Hidden), so not shown: only the root cause is.
	Suppressed State = "suppressed"
	// Rechecking: confirmed and no longer suppressed, but its check has not
	// run since the cause went away, so what is known of it predates the
	// cause's end. It is shown again as soon as a run of its check still
	// reports it, with no new confirmation delay; a run that does not
	// report it clears it.
	Rechecking State = "rechecking"
)

// Entry is the registry's view of one finding, for status output, tests and
// the tray's alerting.
type Entry struct {
	// Finding is the latest report of it, with the ID and Since of its first
	// sighting.
	Finding   finding.Finding
	State     State
	FirstSeen time.Time // the run that first reported it; Finding.Since in UTC
	// ConfirmedAt is the run that confirmed it; zero while pending.
	ConfirmedAt time.Time
	// Peak is the highest severity it has been shown with; empty until it
	// is first shown.
	Peak finding.Severity
	// EscalatedAt is when it was last shown with a severity above every
	// severity it had been shown with before; zero if it never escalated.
	// A tray that alerts once per problem alerts again when this changes.
	EscalatedAt time.Time
}

// Snapshot is the visible state at one version.
type Snapshot struct {
	// Version changes whenever Findings change (in any field, evidence
	// included) and only then. It starts at a random value, so that an ETag
	// made from it does not repeat across restarts of the agent.
	Version uint64
	// Findings are the visible findings, worst first, then by code.
	Findings []finding.Finding
	// Changed is closed once a later version exists. Any number of readers
	// may wait on it (the event stream, the tray in standalone mode);
	// nothing needs to unsubscribe.
	Changed <-chan struct{}
}

// Registry holds the findings of the checks fed to it. It is safe for
// concurrent use.
type Registry struct {
	confirmAfter time.Duration

	mu      sync.Mutex
	entries map[finding.Code]*entry
	version uint64
	shown   []finding.Finding // the visible findings at version
	changed chan struct{}     // closed and replaced at each new version
}

type entry struct {
	Entry
	check string    // whose runs confirm and clear it
	due   time.Time // when a run of its check is wanted (Pending, Rechecking)
}

// New returns an empty registry.
func New(opts Options) *Registry {
	ca := opts.ConfirmAfter
	if ca <= 0 {
		ca = DefaultConfirmAfter
	}
	return &Registry{
		confirmAfter: ca,
		entries:      map[finding.Code]*entry{},
		version:      rand.Uint64N(1 << 62), // room to count up without wrapping
		shown:        []finding.Finding{},
		changed:      make(chan struct{}),
	}
}

// Update records the results of the checks that ran at now. Pass every
// result of one scheduling cycle in one call: readers then never see half a
// cycle, such as a dependent shown for a moment between its cause clearing
// and its own check's result arriving.
//
// now must not go backwards between calls. Pass time.Now() values: their
// monotonic reading keeps confirmation right when the wall clock is stepped
// (as the time-sync fix does); Since shows the wall time in UTC.
func (r *Registry) Update(now time.Time, results ...Result) {
	r.mu.Lock()
	defer r.mu.Unlock()

	reported := map[finding.Code]bool{}
	for _, res := range results {
		if !res.Ran {
			r.missedLocked(now, res.Check)
			continue
		}
		seen := map[finding.Code]bool{}
		for _, f := range res.Findings {
			seen[f.Code] = true
			reported[f.Code] = true
			r.seenLocked(now, res.Check, f)
		}
		for code, e := range r.entries {
			if e.check == res.Check && !seen[code] {
				delete(r.entries, code) // gone: cleared at once, pending or not
			}
		}
	}
	r.settleLocked(now, reported)
	r.publishLocked()
}

// seenLocked records that a run of check at now reported f.
func (r *Registry) seenLocked(now time.Time, check string, f finding.Finding) {
	if f.ID == "" {
		f.ID = string(f.Code)
	}
	e := r.entries[f.Code]
	if e == nil {
		f.Since = now.UTC()
		r.entries[f.Code] = &entry{
			Entry: Entry{Finding: f, State: Pending, FirstSeen: now},
			check: check,
			due:   now.Add(r.confirmAfterFor(f.Code)),
		}
		return
	}
	f.ID, f.Since = e.Finding.ID, e.Finding.Since // stable while it lasts
	e.Finding, e.check = f, check
	// A second measurement, far enough from the first to outlast a glitch.
	if e.State == Pending && now.Sub(e.FirstSeen) >= r.confirmAfterFor(f.Code) {
		e.State, e.ConfirmedAt = Visible, now // settleLocked may suppress it
	}
}

// missedLocked records that check could not run at now. Its findings stay
// as they are; those waiting for it are asked for again a ConfirmAfter
// later, so that a scheduler following NextConfirmation does not spin on a
// check that keeps being skipped.
func (r *Registry) missedLocked(now time.Time, check string) {
	for _, e := range r.entries {
		if e.check == check && (e.State == Pending || e.State == Rechecking) && !now.Before(e.due) {
			e.due = now.Add(r.confirmAfterFor(e.Finding.Code))
		}
	}
}

// confirmAfterFor is the wait before a finding of code is confirmed: its
// own, or the registry's.
func (r *Registry) confirmAfterFor(code finding.Code) time.Duration {
	if d := finding.Lookup(code); d != nil && d.ConfirmAfter > 0 {
		return d.ConfirmAfter
	}
	return r.confirmAfter
}

// settleLocked applies suppression and tracks escalation after a cycle.
// reported holds the codes that a run in this cycle reported.
func (r *Registry) settleLocked(now time.Time, reported map[finding.Code]bool) {
	present := r.causesLocked()
	for code, e := range r.entries {
		if e.State == Pending {
			continue
		}
		switch {
		case finding.Hidden(e.Finding, present):
			e.State = Suppressed
		case e.State == Suppressed || e.State == Rechecking:
			if reported[code] {
				e.State = Visible // re-measured after its cause went away
			} else if e.State == Suppressed {
				e.State, e.due = Rechecking, now
			}
		}
		if e.State == Visible && e.Finding.Severity.Rank() > e.Peak.Rank() {
			if e.Peak != "" {
				e.EscalatedAt = now
			}
			e.Peak = e.Finding.Severity
		}
	}
}

// causesLocked returns the codes that can explain others away: confirmed
// findings, shown or not. A pending finding explains nothing yet: an
// unconfirmed glitch must not hide a confirmed problem either.
func (r *Registry) causesLocked() map[finding.Code]bool {
	present := map[finding.Code]bool{}
	for code, e := range r.entries {
		if e.State != Pending {
			present[code] = true
		}
	}
	return present
}

// publishLocked starts a new version when the visible findings changed.
func (r *Registry) publishLocked() {
	var shown []finding.Finding
	for _, e := range r.entries {
		if e.State == Visible {
			shown = append(shown, e.Finding)
		}
	}
	sortFindings(shown)
	if shown == nil {
		shown = []finding.Finding{}
	}
	if reflect.DeepEqual(shown, r.shown) {
		return
	}
	r.shown = shown
	r.version++
	close(r.changed)
	r.changed = make(chan struct{})
}

// Snapshot returns the visible findings, their version, and a channel that
// is closed when they change.
func (r *Registry) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]finding.Finding, len(r.shown))
	for i, f := range r.shown {
		out[i] = cloneFinding(f)
	}
	return Snapshot{Version: r.version, Findings: out, Changed: r.changed}
}

// Visible returns the findings a person sees, worst first: confirmed, not
// explained by another confirmed finding, and still reported by the latest
// run of their check.
func (r *Registry) Visible() []finding.Finding { return r.Snapshot().Findings }

// Entries returns every finding the registry holds, pending and suppressed
// ones included, worst first, then by code.
func (r *Registry) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Entry, 0, len(r.entries))
	for _, e := range r.entries {
		c := e.Entry
		c.Finding = cloneFinding(c.Finding)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i].Finding, out[j].Finding) })
	return out
}

// NextConfirmation says when which checks must run again for findings to be
// decided: a pending finding to be confirmed, or a finding whose cause went
// away to be re-measured. at is the earliest time one is due (it may be in
// the past: run them now); checks are those due at that time. ok is false
// when nothing is waiting. A pending finding explained by a confirmed cause
// is not waiting: while the machine is offline, say, re-running the checks
// it stops would tell nothing.
func (r *Registry) NextConfirmation() (at time.Time, checks []string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	present := r.causesLocked()
	for _, e := range r.entries {
		switch e.State {
		case Pending:
			if finding.Hidden(e.Finding, present) {
				continue
			}
		case Rechecking:
		default:
			continue
		}
		switch {
		case !ok || e.due.Before(at):
			at, checks, ok = e.due, []string{e.check}, true
		case e.due.Equal(at) && !slices.Contains(checks, e.check):
			checks = append(checks, e.check)
		}
	}
	slices.Sort(checks)
	return at, checks, ok
}

// Active reports whether any finding of warning or above is pending or
// confirmed: the scheduler then checks more often (30 s rather than 5 min).
// Info findings do not count: they describe a lasting, chosen state (public
// DNS in use, a proxy set) that is shown but never alerted, and watching it
// closely would keep a healthy machine polling forever. Nor do passive ones
// (finding.Definition.Passive): checking again soon would not change them.
func (r *Registry) Active() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.entries {
		if e.Finding.Severity.Rank() < finding.Warning.Rank() {
			continue
		}
		if d := finding.Lookup(e.Finding.Code); d == nil || !d.Passive {
			return true
		}
	}
	return false
}

// sortFindings orders worst first, then by code, so that an unchanged set
// always compares equal.
func sortFindings(fs []finding.Finding) {
	sort.Slice(fs, func(i, j int) bool { return less(fs[i], fs[j]) })
}

func less(a, b finding.Finding) bool {
	if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
		return ra > rb
	}
	return a.Code < b.Code
}

// cloneFinding copies what a reader could change by accident. Nested
// evidence values are shared: treat them as read-only.
func cloneFinding(f finding.Finding) finding.Finding {
	f.Evidence = maps.Clone(f.Evidence)
	f.Fixes = slices.Clone(f.Fixes)
	f.ExplainedBy = slices.Clone(f.ExplainedBy)
	return f
}
