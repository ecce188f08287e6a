package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/platform/wallclock"
)

// The wall clock stepped under a running agent, and stepped back. Linux
// time namespaces cannot move the wall clock, and this machine's own clock
// is never touched: the agent is the program built with the build tag
// fakeclock, whose wall clock (the one the clock check measures) is the
// real one plus an offset read from a file (platform/wallclock). Writing
// the file is the step; the agent learns of it as it learns of a real one,
// from its clock watch, and must show clock-skew with the offset of the
// step, then clear once the clock is right again, without growing.
func TestFaultsWallClockStepped(t *testing.T) {
	t.Setenv("CLEARANCE_BIN", taggedBinary(t, "fakeclock"))
	offset := filepath.Join(t.TempDir(), "wall-clock-offset")
	step := func(d time.Duration) {
		t.Helper()
		if err := os.WriteFile(offset, []byte(d.String()+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	step(0)
	w := newFaultWorld(t)
	cfg := w.config(t, "[agent]", `interval = "1h"`, `active_interval = "1h"`, `confirm_after = "2s"`)
	a := startAgent(t, nil, cfg, wallclock.EnvOffset+"="+offset, "SSL_CERT_FILE="+w.trustFile)
	first := a.waitState(t, 60*time.Second, "the first run", func(st api.State) bool { return !st.UpdatedAt.IsZero() })
	if slices.Contains(codesOf(first), "clock-skew") {
		t.Fatalf("clock-skew before any step: %v", first.Findings)
	}
	grew := noGrowth(t, a)

	const ahead = 2 * time.Hour
	start := time.Now()
	step(ahead)
	st := a.waitState(t, 60*time.Second, "clock-skew after the clock was stepped 2 h ahead", func(st api.State) bool {
		return slices.Contains(codesOf(st), "clock-skew")
	})
	t.Logf("clock-skew shown %v after the step", time.Since(start).Round(100*time.Millisecond))
	for _, f := range st.Findings {
		if f.Code != finding.ClockSkew.Code {
			continue
		}
		off, _ := f.Evidence["offset_seconds"].(float64)
		if math.Abs(off-ahead.Seconds()) > 5 {
			t.Errorf("clock-skew offset_seconds = %v (evidence %v), want about %v", off, f.Evidence, ahead.Seconds())
		}
	}

	start = time.Now()
	step(0)
	a.waitState(t, 60*time.Second, "clear after the clock was stepped back", func(st api.State) bool {
		return !slices.Contains(codesOf(st), "clock-skew")
	})
	t.Logf("clock-skew cleared %v after the step back", time.Since(start).Round(100*time.Millisecond))
	grew()
}
