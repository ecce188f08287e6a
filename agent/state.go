package agent

import (
	"time"

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

// record stores a run's check reports and tells the subscribers.
func (a *Agent) record(now time.Time, reports []check.CheckReport) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range reports {
		a.latest[r.Name] = r
	}
	a.updated = now
	for ch := range a.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
