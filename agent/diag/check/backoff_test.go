package check

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/probe"
	"github.com/clearance-app/clearance/internal/testworld/cftest"
)

// TestBackoffHoldsOffARateLimitingHost runs the endpoints check again and
// again against a host answering Cloudflare's 1015 (Retry-After: 30), with
// one Backoff and an injected clock: the host is asked again only when its
// wait is over, each further 429 doubles the wait, the finding stands
// meanwhile with the wait that remains, and a normal answer ends the hold.
func TestBackoffHoldsOffARateLimitingHost(t *testing.T) {
	var asked atomic.Int32
	var limited atomic.Bool
	limited.Store(true)
	srv := cftest.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		c := cftest.OK
		if limited.Load() {
			c = cftest.RateLimit1015
		}
		cftest.Handler(c).ServeHTTP(w, r)
	}))
	cfg := config.Default()
	cfg.Endpoints.Hosts = []string{srv.URL + "/"}
	cfg.Endpoints.Trace = ""
	p := &probe.Prober{RootCAs: cftest.Pool(srv)}
	t.Cleanup(p.Close)
	stubNetwork := Check{Name: "network", Run: func(context.Context, *Env) Result {
		return Result{Status: Pass, Data: map[string]any{"witness_reachable": true}}
	}}
	b := NewBackoff()
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

	step := func(at time.Duration, wantAsked int32, wantRetry int, wantFinding bool) {
		t.Helper()
		now := t0.Add(at)
		rep := Run(t.Context(), Env{Config: &cfg, Probe: p, Backoff: b, Now: func() time.Time { return now }},
			[]Check{stubNetwork, endpointsCheck})
		if got := asked.Load(); got != wantAsked {
			t.Fatalf("at +%v: the host was asked %d times, want %d", at, got, wantAsked)
		}
		var rl *finding.Finding
		for i, f := range rep.Findings {
			if f.Code == finding.RateLimited.Code {
				rl = &rep.Findings[i]
			}
		}
		if !wantFinding {
			if rl != nil {
				t.Fatalf("at +%v: rate-limited still reported after a normal answer: %+v", at, rl)
			}
			return
		}
		if rl == nil {
			t.Fatalf("at +%v: no rate-limited finding; findings %v", at, rep.Findings)
		}
		if got := rl.Evidence["retry_after_seconds"]; got != wantRetry {
			t.Fatalf("at +%v: retry_after_seconds = %v, want %d", at, got, wantRetry)
		}
	}
	step(0, 1, 30, true)              // asked; Retry-After 30 (more than the first 30 s step)
	step(10*time.Second, 1, 20, true) // held: 20 s left
	step(31*time.Second, 2, 30, true) // asked again (the host asks for 30 s); second strike: we wait 60 s
	step(31*time.Second+59*time.Second, 2, 1, true)
	step(31*time.Second+61*time.Second, 3, 30, true) // third strike: 120 s
	step(31*time.Second+61*time.Second+100*time.Second, 3, 20, true)
	limited.Store(false)
	step(31*time.Second+61*time.Second+121*time.Second, 4, 0, false) // answers normally: hold ended
	step(31*time.Second+61*time.Second+122*time.Second, 5, 0, false) // and it is asked every time again
}

func TestBackoffWaitIsCapped(t *testing.T) {
	b := NewBackoff()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	v := probe.Verdict{Kind: probe.KindRateLimited, Reason: "429"}
	for range 20 {
		b.observe("h", now, v)
	}
	held, ok := b.held("h", now)
	if !ok || held.RetryAfter != backoffMax {
		t.Fatalf("after 20 strikes the wait is %v (held %v), want the cap %v", held.RetryAfter, ok, backoffMax)
	}
	long := probe.Verdict{Kind: probe.KindRateLimited, RetryAfter: 3 * time.Hour, HasRetryAfter: true}
	b.observe("h", now, long)
	if held, _ := b.held("h", now); held.RetryAfter != 3*time.Hour {
		t.Fatalf("a Retry-After of 3h gave a wait of %v: it must be honoured", held.RetryAfter)
	}
	var nilB *Backoff
	if _, ok := nilB.held("h", now); ok {
		t.Fatal("a nil Backoff holds a host off")
	}
	nilB.observe("h", now, v) // must not panic
}
