package agent

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/config"
)

// An interval near the largest duration, with its jitter, once overflowed
// into a negative wait: the agent ran its checks in a busy loop (613 runs
// in 10 s). The wait saturates instead, whatever the jitter draws.
func TestIntervalDoesNotOverflow(t *testing.T) {
	opts := testOptions(t)
	opts.Jitter = func(max time.Duration) time.Duration { return max - 1 }
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, d := range []time.Duration{math.MaxInt64, math.MaxInt64 - time.Hour, math.MaxInt64 / 10 * 9, 24 * time.Hour} {
		cfg := config.Default()
		cfg.Agent.Interval = config.Duration(d)
		if got := a.interval(cfg); got < d {
			t.Errorf("interval %v: the wait is %v, shorter than the interval itself", d, got)
		}
	}
	// The default jitter too.
	a.opts.Jitter = func(max time.Duration) time.Duration { return rand.N(max) }
	cfg := config.Default()
	cfg.Agent.Interval = math.MaxInt64
	for range 1000 {
		if got := a.interval(cfg); got < cfg.Agent.Interval.D() {
			t.Fatalf("the wait is %v", got)
		}
	}
}
