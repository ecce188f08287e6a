package agent

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
)

// However many requests to check now arrive during a run, they make one
// more run, not one each: one run at a time, one waiting.
func TestCheckNowCoalesces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var runs atomic.Int64
		hold := make(chan struct{})
		var holding atomic.Bool
		opts := testOptions(t)
		opts.Checks = []check.Check{{Name: "slow", Run: func(ctx context.Context, _ *check.Env) check.Result {
			runs.Add(1)
			if holding.Load() {
				select {
				case <-hold:
				case <-ctx.Done():
				}
			}
			return check.Result{Status: check.Pass}
		}}}
		a := start(t, opts)
		synctest.Wait()
		if n := runs.Load(); n != 1 {
			t.Fatalf("at start: %d runs, want 1", n)
		}

		holding.Store(true)
		a.CheckNow()
		synctest.Wait()
		if n := runs.Load(); n != 2 {
			t.Fatalf("CheckNow: %d runs, want the second one going", n)
		}
		for range 10000 {
			a.CheckNow()
		}
		holding.Store(false)
		close(hold)
		synctest.Wait()
		if n := runs.Load(); n != 3 {
			t.Fatalf("10,000 requests during a run made %d more runs, want 1", n-2)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := runs.Load(); n != 3 {
			t.Fatalf("a minute later: %d runs, want still 3", n)
		}
	})
}
