package health

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/clearance-app/clearance/agent/diag/finding"
)

// fakeCheck stands for a check: it reports what the world holds at now.
type fakeCheck struct {
	name string
	run  func(now time.Time) []finding.Finding
}

// drive runs checks as the agent's scheduler is meant to use a Registry:
// every check at start, on a wake-up (a network change) and on an interval
// (30 s while Active, else 5 min); in between, the checks NextConfirmation
// asks for, when it asks.
func drive(ctx context.Context, r *Registry, checks []fakeCheck, wake <-chan struct{}) {
	run := func(names []string) {
		now := time.Now()
		var rs []Result
		for _, c := range checks {
			if names == nil || slices.Contains(names, c.name) {
				rs = append(rs, ran(c.name, c.run(now)...))
			}
		}
		r.Update(now, rs...)
	}
	interval := func() time.Duration {
		if r.Active() {
			return 30 * time.Second
		}
		return 5 * time.Minute
	}
	run(nil)
	next := time.Now().Add(interval())
	for {
		due, only := next, []string(nil)
		if at, cs, ok := r.NextConfirmation(); ok && at.Before(next) {
			due, only = at, cs
		}
		timer := time.NewTimer(time.Until(due))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-wake:
			timer.Stop()
			run(nil)
			next = time.Now().Add(interval())
		case <-timer.C:
			run(only)
			if only == nil {
				next = time.Now().Add(interval())
			}
		}
	}
}

// TestScheduledVPNIsAnnouncedAndGlitchIsNot plays the promise on a
// fake clock: a VPN that comes up is announced within about 10 s, a one-off
// glitch never, and each shows up as exactly the changes a reader of the
// event stream would see.
func TestScheduledVPNIsAnnouncedAndGlitchIsNot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		vpnUp, vpnDown := start.Add(100*time.Second), start.Add(200*time.Second)
		var mu sync.Mutex
		var runs []string // "check@time since start"
		record := func(name string, now time.Time) {
			mu.Lock()
			defer mu.Unlock()
			runs = append(runs, fmt.Sprintf("%s@%v", name, now.Sub(start)))
		}
		endpointRuns := 0
		checks := []fakeCheck{
			{"vpn", func(now time.Time) []finding.Finding {
				record("vpn", now)
				if !now.Before(vpnUp) && now.Before(vpnDown) {
					return []finding.Finding{vpn(now)}
				}
				return nil
			}},
			{"endpoints", func(now time.Time) []finding.Finding {
				record("endpoints", now)
				endpointRuns++
				if endpointRuns == 3 { // one bad answer, once
					return []finding.Finding{unreachable(now)}
				}
				return nil
			}},
		}

		r := New(Options{})
		ctx, cancel := context.WithCancel(t.Context())
		wake := make(chan struct{})
		var wg sync.WaitGroup
		s0 := r.Snapshot()
		wg.Go(func() { drive(ctx, r, checks, wake) })

		type change struct {
			after time.Duration
			codes []finding.Code
		}
		var changes []change
		wg.Go(func() { // a reader of the event stream
			for ch := s0.Changed; ; {
				select {
				case <-ch:
				case <-ctx.Done():
					return
				}
				s := r.Snapshot()
				mu.Lock()
				changes = append(changes, change{time.Since(start), codes(s.Findings)})
				mu.Unlock()
				ch = s.Changed
			}
		})

		time.Sleep(time.Until(vpnUp))
		wake <- struct{}{} // the VPN's interface comes up
		time.Sleep(time.Until(vpnDown))
		wake <- struct{}{} // and goes away
		time.Sleep(10 * time.Minute)
		cancel()
		wg.Wait()

		want := []change{
			{105 * time.Second, []finding.Code{"vpn-active"}}, // confirmed 5 s after it came up
			{200 * time.Second, []finding.Code{}},             // cleared at once
		}
		if !slices.EqualFunc(changes, want, func(a, b change) bool {
			return a.after == b.after && slices.Equal(a.codes, b.codes)
		}) {
			t.Errorf("changes seen by a reader = %v, want %v", changes, want)
		}
		// The glitch (endpoints' third run, at 130 s) was re-checked 5 s
		// later, and that re-run is what kept it from being shown.
		for _, want := range []string{"vpn@1m45s", "endpoints@2m15s"} {
			if !slices.Contains(runs, want) {
				t.Errorf("runs = %v, want %s among them", runs, want)
			}
		}
	})
}
