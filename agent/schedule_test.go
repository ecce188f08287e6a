package agent

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/platform/host"
)

// In these tests time is synctest's: time.Sleep moves a fake clock once
// every goroutine of the bubble is blocked, so the schedule is followed to
// the second without waiting for it, and a goroutine left behind at the end
// fails the test.

func TestScheduleConfirmsThenShows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		vpn, dns := newScript("vpn"), newScript("dns")
		vpn.set(check.Warn, finding.VPNActive)
		a := start(t, testOptions(t, vpn, dns))

		synctest.Wait()
		if vpn.count() != 1 || dns.count() != 1 {
			t.Fatalf("at start: vpn ran %d times, dns %d; want both once", vpn.count(), dns.count())
		}
		if got := visibleCodes(a); len(got) != 0 {
			t.Fatalf("a finding seen once is shown at once: %v", got)
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if vpn.count() != 2 || dns.count() != 1 {
			t.Fatalf("after 5 s: vpn ran %d times, dns %d; want only vpn re-run to confirm", vpn.count(), dns.count())
		}
		if got := visibleCodes(a); !slices.Equal(got, []finding.Code{finding.VPNActive.Code}) {
			t.Fatalf("after confirmation the visible findings are %v", got)
		}
		first := a.State().Findings[0]
		if want := time.Now().Add(-5 * time.Second).UTC(); !first.Since.Equal(want) {
			t.Fatalf("since = %v, want the first sighting %v", first.Since, want)
		}
		// A warning keeps the agent watching closely: every 30 s.
		time.Sleep(25*time.Second - time.Millisecond)
		synctest.Wait()
		if dns.count() != 1 {
			t.Fatalf("a full run came before 30 s: dns ran %d times", dns.count())
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if dns.count() != 2 {
			t.Fatalf("no full run 30 s after the last: dns ran %d times", dns.count())
		}
		if again := a.State().Findings; len(again) != 1 || again[0].ID != first.ID || !again[0].Since.Equal(first.Since) {
			t.Fatalf("a lasting finding changed its id or since across runs: %+v, first %+v", again, first)
		}
		// The problem goes away: it clears at the next run, with no delay,
		// and the agent goes back to every 5 minutes.
		vpn.set(check.Pass)
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if got := visibleCodes(a); len(got) != 0 {
			t.Fatalf("the finding did not clear: %v", got)
		}
		n := dns.count()
		time.Sleep(5*time.Minute - time.Millisecond)
		synctest.Wait()
		if dns.count() != n {
			t.Fatalf("all clear, yet a full run came before 5 minutes")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if dns.count() != n+1 {
			t.Fatalf("all clear: no full run after 5 minutes")
		}
	})
}

func TestScheduleGlitchIsNeverShown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		vpn := newScript("vpn")
		vpn.set(check.Warn, finding.VPNActive)
		a := start(t, testOptions(t, vpn))
		synctest.Wait()
		vpn.set(check.Pass) // gone before the confirming run
		changes, cancel := a.Subscribe()
		defer cancel()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if vpn.count() != 2 {
			t.Fatalf("the confirming run did not happen: %d runs", vpn.count())
		}
		if got := visibleCodes(a); len(got) != 0 {
			t.Fatalf("a one-off glitch was shown: %v", got)
		}
		select {
		case <-changes:
		default:
			t.Fatal("subscribers were not told of the new run")
		}
		if got := a.Entries(); len(got) != 0 {
			t.Fatalf("the glitch is still held: %+v", got)
		}
	})
}

func TestScheduleJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dns := newScript("dns")
		opts := testOptions(t, dns)
		var asked []time.Duration
		opts.Jitter = func(max time.Duration) time.Duration {
			asked = append(asked, max)
			return max - time.Second
		}
		start(t, opts)
		synctest.Wait()
		time.Sleep(5*time.Minute + 28*time.Second)
		synctest.Wait()
		if dns.count() != 1 {
			t.Fatalf("ran before interval+jitter: %d runs", dns.count())
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if dns.count() != 2 {
			t.Fatalf("no run at interval+jitter: %d runs", dns.count())
		}
		if asked[0] != 30*time.Second {
			t.Fatalf("jitter up to %v, want a tenth of 5m", asked[0])
		}
	})
}

func TestScheduleNetworkChangeChecksAfterSettling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		vpn := newScript("vpn")
		netw := newEvents()
		opts := testOptions(t, vpn)
		opts.WatchNetwork = netw.watch
		a := start(t, opts)
		synctest.Wait()
		time.Sleep(time.Minute)

		vpn.set(check.Warn, finding.VPNActive) // a VPN comes up...
		netw.fire()                            // ...and the kernel says so, in a burst
		netw.fire()
		synctest.Wait()
		time.Sleep(networkSettle)
		synctest.Wait()
		if vpn.count() != 2 {
			t.Fatalf("no run after the network change settled: %d runs", vpn.count())
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if got := visibleCodes(a); !slices.Equal(got, []finding.Code{finding.VPNActive.Code}) {
			t.Fatalf("the VPN was not announced within about 10 s of coming up: %v", got)
		}
	})
}

func TestScheduleClockJumpAndCheckNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := newScript("clock")
		jumps := newEvents()
		opts := testOptions(t, clock)
		opts.WatchClock = jumps.watch
		a := start(t, opts)
		synctest.Wait()
		time.Sleep(time.Minute)
		jumps.fire()
		synctest.Wait()
		if clock.count() != 2 {
			t.Fatalf("a clock jump did not start a run at once: %d runs", clock.count())
		}
		a.CheckNow()
		synctest.Wait()
		if clock.count() != 3 {
			t.Fatalf("CheckNow: %d runs, want 3", clock.count())
		}
	})
}

func TestScheduleBadConfigKeepsLastGoodAndSaysSo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dns := newScript("dns")
		opts := testOptions(t, dns)
		var bad atomic.Bool
		var mu sync.Mutex
		var seenDeadline []time.Duration
		opts.Config = func() (config.Config, error) {
			if bad.Load() {
				return config.Config{}, &config.Error{File: "/etc/clearance/config.toml", Line: 3, Key: "agent.intervall", Msg: "unknown key"}
			}
			c := config.Default()
			c.Check.Deadline = config.Duration(7 * time.Second)
			return c, nil
		}
		opts.Checks = append(opts.Checks, check.Check{Name: "probe", Run: func(_ context.Context, env *check.Env) check.Result {
			mu.Lock()
			seenDeadline = append(seenDeadline, env.Config.Check.Deadline.D())
			mu.Unlock()
			return check.Result{Status: check.Pass}
		}})
		a := start(t, opts)
		synctest.Wait()
		bad.Store(true)
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		fs := a.State().Findings
		if len(fs) != 1 || fs[0].Code != finding.ConfigInvalid.Code {
			t.Fatalf("a bad file gives %v, want config-invalid", fs)
		}
		if fs[0].Evidence["key"] != "agent.intervall" || fs[0].Evidence["line"] != 3 {
			t.Fatalf("config-invalid evidence %v lacks the key and line", fs[0].Evidence)
		}
		mu.Lock()
		seen := slices.Clone(seenDeadline)
		mu.Unlock()
		for _, d := range seen {
			if d != 7*time.Second {
				t.Fatalf("a check ran with deadline %v: the last good value was not kept", d)
			}
		}
		bad.Store(false)
		a.CheckNow()
		synctest.Wait()
		if fs := a.State().Findings; len(fs) != 0 {
			t.Fatalf("config-invalid stayed after the file was fixed: %v", fs)
		}
	})
}

func TestNewRefusesABadFirstConfig(t *testing.T) {
	opts := testOptions(t)
	opts.Config = func() (config.Config, error) { return config.Config{}, errors.New("bad") }
	if _, err := New(opts); err == nil {
		t.Fatal("New accepted a configuration that could not be loaded")
	}
}

func TestClockJumpThreshold(t *testing.T) {
	for _, c := range []struct {
		wall, mono time.Duration
		want       bool
	}{
		{time.Minute, time.Minute, false},
		{time.Minute + time.Second, time.Minute, false},   // slew, scheduling noise
		{time.Minute + 90*time.Second, time.Minute, true}, // stepped forward
		{-time.Hour, time.Minute, true},                   // stepped back
		{8 * time.Hour, 5 * time.Minute, true},            // slept (monotonic stops)
	} {
		if got := apart(c.wall, c.mono); got != c.want {
			t.Errorf("wall %v, monotonic %v: jump %v, want %v", c.wall, c.mono, got, c.want)
		}
	}
	t0 := time.Now()
	if jumped(t0, t0.Add(time.Minute)) {
		t.Fatal("a minute on both clocks is taken as a jump")
	}
}

// A stop that comes while a confirming run is going ends Run: the cut-short
// run leaves its checks due, and the loop must not take that as a reason to
// run them again at once, forever.
func TestStopDuringConfirmationRun(t *testing.T) {
	opts := testOptions(t)
	var runs atomic.Int32
	started := make(chan struct{}, 1)
	opts.Checks = []check.Check{{Name: "vpn", Run: func(ctx context.Context, env *check.Env) check.Result {
		if runs.Add(1) >= 2 { // the confirming run waits on a slow probe
			started <- struct{}{}
			<-ctx.Done()
		}
		return check.Result{Status: check.Warn, Findings: []finding.Finding{finding.VPNActive.New(time.Now(), nil)}}
	}}}
	opts.Config = func() (config.Config, error) {
		c := config.Default()
		c.Agent.ConfirmAfter = config.Duration(50 * time.Millisecond)
		return c, nil
	}
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		t.Fatal("the confirming run never started")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("Run did not return after a stop during a confirming run; the check ran %d times", runs.Load())
	}
	if n := runs.Load(); n != 2 {
		t.Fatalf("the check ran %d times; want 2 (no run after the stop)", n)
	}
}

// A finding a fix raises is confirmed on the registry's schedule, not at
// the next full run minutes later: the fix wakes the loop.
func TestFixWakesTheLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if !host.IsAdmin() {
			t.Skip("the privileged fixes are only offered to an administrator; run as root")
		}
		dns := newScript("dns")
		a := start(t, testOptions(t, dns))
		synctest.Wait()
		time.Sleep(time.Minute)
		res, err := a.RunFix(t.Context(), fix.DNSPublic, api.FixOptions{Confirm: true})
		if err != nil || res.Result != api.Fixed {
			t.Fatalf("dns-public: %+v, %v", res, err)
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if got := visibleCodes(a); !slices.Contains(got, finding.DNSPublicActive.Code) {
			t.Fatalf("10 s after the switch the visible findings are %v, want dns-public-active", got)
		}
	})
}

// After a network change the local checks run first: a VPN coming up is
// known half a second later, while the probes across the new network are
// still waiting for answers.
func TestNetworkChangeRunsLocalChecksFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		vpn := newScript("vpn")
		netw := newEvents()
		opts := testOptions(t, vpn)
		local := opts.Checks[0]
		local.Local = true
		opts.Checks = []check.Check{local, {Name: "endpoints", Run: func(ctx context.Context, _ *check.Env) check.Result {
			select { // probes through a tunnel that drops everything
			case <-time.After(5 * time.Second):
			case <-ctx.Done():
			}
			return check.Result{Status: check.Pass}
		}}}
		opts.WatchNetwork = netw.watch
		a := start(t, opts)
		time.Sleep(time.Minute)
		synctest.Wait()

		vpn.set(check.Warn, finding.VPNActive)
		netw.fire()
		time.Sleep(networkSettle + 100*time.Millisecond)
		synctest.Wait()
		var pending bool
		for _, e := range a.Entries() {
			pending = pending || e.Finding.Code == finding.VPNActive.Code
		}
		// The full run has started too but cannot end before the slow check:
		// only the local run can have fed the registry by now.
		if !pending {
			t.Fatalf("0.6 s after the change vpn-active is not held (vpn ran %d times): the local check did not run first", vpn.count())
		}
	})
}
