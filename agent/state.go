package agent

import (
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/health"
)

// State returns the latest run of each check and the visible findings
// (api.StateSource).
func (a *Agent) State() api.State {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := api.State{UpdatedAt: a.updated, Findings: a.reg.Visible()}
	for _, c := range a.checks {
		if r, ok := a.latest[c.Name]; ok {
			st.Checks = append(st.Checks, r)
		}
	}
	return st
}

// Subscribe implements api.StateSource: the channel receives a value after
// each change, coalesced.
func (a *Agent) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	a.mu.Lock()
	a.subs[ch] = struct{}{}
	a.mu.Unlock()
	return ch, func() {
		a.mu.Lock()
		delete(a.subs, ch)
		a.mu.Unlock()
	}
}

// CheckNow asks for a full run at once (api.Checker). It returns at once;
// requests made while a run is going coalesce into the next one.
func (a *Agent) CheckNow() {
	select {
	case a.checkNow <- struct{}{}:
	default:
	}
}

// Entries exposes the registry's view, pending findings included, for
// `clearance status --verbose` and tests.
func (a *Agent) Entries() []health.Entry { return a.reg.Entries() }

// History returns the last runs' summaries, oldest first
// (api.HistorySource).
func (a *Agent) History() []api.RunSummary {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.history.list()
}

// record stores a run's check reports, adds the run to the history and
// tells the subscribers. The registry has been fed the run already, so the
// visible findings are those after it.
func (a *Agent) record(now time.Time, reports []check.CheckReport) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range reports {
		a.latest[r.Name] = r
	}
	a.updated = now
	if len(reports) > 0 {
		a.history.add(summarize(now, reports, a.reg.Visible()))
	}
	for ch := range a.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// summarize is one run as /v1/history keeps it: copies of the strings, so
// that the ring holds no check's data.
func summarize(now time.Time, reports []check.CheckReport, visible []finding.Finding) api.RunSummary {
	r := api.RunSummary{At: now.UTC(), Checks: make([]api.CheckSummary, len(reports)), Findings: make([]finding.Code, len(visible))}
	var longest time.Duration
	for i, c := range reports {
		r.Checks[i] = api.CheckSummary{Name: c.Name, Status: c.Status, Summary: c.Summary}
		longest = max(longest, c.Duration)
	}
	r.DurationMS = longest.Milliseconds()
	for i, f := range visible {
		r.Findings[i] = f.Code
	}
	return r
}
