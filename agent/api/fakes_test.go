package api

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
)

// fakeState is a StateSource whose state a test sets.
type fakeState struct {
	mu   sync.Mutex
	st   State
	subs map[chan struct{}]bool
	// gone receives once per ended subscription.
	gone chan struct{}
}

func newFakeState(st State) *fakeState {
	return &fakeState{st: st, subs: map[chan struct{}]bool{}, gone: make(chan struct{}, 64)}
}

func (f *fakeState) State() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *fakeState) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	f.mu.Lock()
	f.subs[ch] = true
	f.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			f.mu.Lock()
			delete(f.subs, ch)
			f.mu.Unlock()
			f.gone <- struct{}{}
		})
	}
}

// Set replaces the state and notifies the subscribers as the agent would.
func (f *fakeState) Set(st State) {
	f.mu.Lock()
	f.st = st
	f.mu.Unlock()
	f.Notify()
}

// Notify signals a change without making one.
func (f *fakeState) Notify() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// fakeChecker counts requests to check now.
type fakeChecker struct{ calls chan struct{} }

func (c *fakeChecker) CheckNow() {
	select {
	case c.calls <- struct{}{}:
	default:
	}
}

// fakeRun is one call of RunFix.
type fakeRun struct {
	id   string
	opts FixOptions
}

// fakeFixes lists a few fixes and records runs. A fix with a channel in
// block waits on it, so that a test can hold it running; dns-public's
// runner always errs.
type fakeFixes struct {
	list    []FixStatus
	block   map[string]chan struct{}
	started chan string

	mu   sync.Mutex
	runs []fakeRun
}

func newFakeFixes() *fakeFixes {
	info := func(id string) fix.Info { i, _ := fix.Lookup(id); return i }
	return &fakeFixes{
		list: []FixStatus{
			{Info: info(fix.DNSFlush), Available: true},
			{Info: info(fix.TimeSync), Available: true},
			{Info: info(fix.DNSRestore), Available: false, Reason: "Nothing to restore: Clearance has not changed the DNS settings."},
			{Info: info(fix.DNSPublic), Available: true}, // its runner is broken
		},
		block:   map[string]chan struct{}{},
		started: make(chan string, 16),
	}
}

func (f *fakeFixes) Fixes(context.Context) []FixStatus { return f.list }

func (f *fakeFixes) RunFix(ctx context.Context, id string, opts FixOptions) (FixResult, error) {
	f.mu.Lock()
	f.runs = append(f.runs, fakeRun{id, opts})
	f.mu.Unlock()
	f.started <- id
	if ch := f.block[id]; ch != nil {
		<-ch
	}
	if id == fix.DNSPublic {
		return FixResult{}, errors.New("the runner is broken")
	}
	if opts.DryRun {
		return FixResult{Result: NotNeeded, Message: "Would run these commands.", Commands: []string{"resolvectl flush-caches"}}, nil
	}
	return FixResult{Result: Fixed, Message: "Flushed the DNS cache.", Commands: []string{"resolvectl flush-caches"}}, nil
}

func (f *fakeFixes) Runs() []fakeRun {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRun(nil), f.runs...)
}

// sampleState is a state as the agent would hold it after one run.
func sampleState(updated time.Time, codes ...finding.Code) State {
	st := State{
		UpdatedAt: updated,
		Checks: []check.CheckReport{{
			Name: "clock", Status: check.Pass, Summary: "the clock is right", Duration: 12 * time.Millisecond,
			Data: map[string]any{"offset_ms": 3},
		}},
	}
	for _, c := range codes {
		st.Findings = append(st.Findings, finding.Lookup(c).New(updated, map[string]any{"offset_s": 92}))
	}
	return st
}
