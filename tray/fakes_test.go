package tray

import (
	"context"
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
)

// Stand-ins for the agent behind the API (the same idea as agent/api's
// fakes_test.go, which a test of another package cannot import): a state
// a test sets, a counter of check requests, and fixes that record runs.

// scriptedState is an api.StateSource whose state a test sets.
type scriptedState struct {
	mu   sync.Mutex
	st   api.State
	subs map[chan struct{}]bool
}

func newScriptedState(st api.State) *scriptedState {
	return &scriptedState{st: st, subs: map[chan struct{}]bool{}}
}

func (s *scriptedState) State() api.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

func (s *scriptedState) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.subs[ch] = true
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}
}

// Set replaces the state and notifies the subscribers, as the agent does.
func (s *scriptedState) Set(st api.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
	for ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// countingChecker records requests to check now.
type countingChecker struct{ calls chan struct{} }

func newCountingChecker() *countingChecker { return &countingChecker{calls: make(chan struct{}, 64)} }

func (c *countingChecker) CheckNow() {
	select {
	case c.calls <- struct{}{}:
	default:
	}
}

// fixRun is one recorded run of a fix.
type fixRun struct {
	ID   string
	Opts api.FixOptions
}

// recordingFixes lists the privileged fixes and records each run.
type recordingFixes struct {
	mu          sync.Mutex
	unavailable map[string]string // id → reason
	runs        []fixRun
	ran         chan fixRun
	release     chan struct{} // when set, a run waits for it
}

func newRecordingFixes() *recordingFixes {
	return &recordingFixes{unavailable: map[string]string{}, ran: make(chan fixRun, 64)}
}

func (r *recordingFixes) Fixes(context.Context) []api.FixStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []api.FixStatus
	for _, info := range fix.All {
		if !info.Privileged {
			continue
		}
		reason, off := r.unavailable[info.ID]
		out = append(out, api.FixStatus{Info: info, Available: !off, Reason: reason})
	}
	return out
}

func (r *recordingFixes) RunFix(_ context.Context, id string, opts api.FixOptions) (api.FixResult, error) {
	r.mu.Lock()
	r.runs = append(r.runs, fixRun{id, opts})
	release := r.release
	r.mu.Unlock()
	r.ran <- fixRun{id, opts}
	if release != nil {
		<-release
	}
	return api.FixResult{Result: api.Fixed, Message: "Done by the test agent: " + id + ".", Commands: []string{"true"}}, nil
}

func (r *recordingFixes) Runs() []fixRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]fixRun(nil), r.runs...)
}

// stateWith is a machine state after a run at t with the given findings,
// each at its declared severity unless overridden by sev.
func stateWith(t time.Time, fs ...finding.Finding) api.State {
	return api.State{
		UpdatedAt: t,
		Checks:    []check.CheckReport{{Name: "clock", Status: check.Pass, Summary: "checked", Duration: 12 * time.Millisecond, Data: map[string]any{}}},
		Findings:  fs,
	}
}
