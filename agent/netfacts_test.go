package agent

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/platform/netstate"
)

// readingHost is a machine whose interfaces and routing table count their
// readings. The checks of these tests read nothing else of it.
type readingHost struct {
	check.Host // nil: nothing else is read
	ifaces     atomic.Int32
	routes     atomic.Int32
}

func (h *readingHost) Interfaces(context.Context) ([]netstate.Interface, error) {
	h.ifaces.Add(1)
	return []netstate.Interface{{Name: "eth0", Up: true}}, nil
}

func (h *readingHost) Routes(context.Context) ([]netstate.Route, error) {
	h.routes.Add(1)
	return nil, nil
}

// readingCheck reads the interfaces and routes as the vpn and network
// checks do, and says when it ran.
func readingCheck(ran chan<- struct{}) check.Check {
	return check.Check{Name: "vpn", Run: func(ctx context.Context, env *check.Env) check.Result {
		defer func() { ran <- struct{}{} }()
		if _, err := env.Host.Interfaces(ctx); err != nil {
			return check.Result{Status: check.Error, Summary: err.Error()}
		}
		if _, err := env.Host.Routes(ctx); err != nil {
			return check.Result{Status: check.Error, Summary: err.Error()}
		}
		return check.Result{Status: check.Pass}
	}}
}

// awaitRuns waits for n runs of the reading check.
func awaitRuns(t *testing.T, ran <-chan struct{}, n int, after string) {
	t.Helper()
	for range n {
		select {
		case <-ran:
		case <-time.After(30 * time.Second):
			t.Fatalf("no run %s", after)
		}
	}
}

func wantReadings(t *testing.T, h *readingHost, n int32, after string) {
	t.Helper()
	if i, r := h.ifaces.Load(), h.routes.Load(); i != n || r != n {
		t.Fatalf("%s: %d interface and %d route readings, want %d", after, i, r, n)
	}
}

// While the network is watched, runs take the interfaces and routes from
// the last reading; a network change, a clock step or a resume makes the
// next run read them again.
func TestNetworkChangeMakesTheNextRunReadTheNetworkAgain(t *testing.T) {
	ran := make(chan struct{}, 16)
	h := &readingHost{}
	netw, jumps := newEvents(), newEvents()
	opts := testOptions(t)
	opts.Checks = []check.Check{readingCheck(ran)}
	opts.WatchNetwork, opts.WatchClock = netw.watch, jumps.watch
	opts.Env = func(cfg *config.Config, log *slog.Logger) check.Env {
		return check.Env{Config: cfg, Log: log, Host: h}
	}
	a := start(t, opts)

	awaitRuns(t, ran, 1, "at start")
	wantReadings(t, h, 1, "the first run")
	a.CheckNow()
	awaitRuns(t, ran, 1, "on request")
	a.CheckNow()
	awaitRuns(t, ran, 1, "on request")
	wantReadings(t, h, 1, "two more runs without a change")
	netw.fire()
	awaitRuns(t, ran, 1, "after the network change")
	wantReadings(t, h, 2, "the run after a network change")
	a.CheckNow()
	awaitRuns(t, ran, 1, "on request")
	wantReadings(t, h, 2, "the run after that")
	jumps.fire()
	awaitRuns(t, ran, 1, "after the clock jump")
	wantReadings(t, h, 3, "the run after a clock jump")
}

// Without a network watch, nothing would tell when they change: every run
// reads them. So too once the watch ends.
func TestWithoutANetworkWatchEveryRunReadsTheNetwork(t *testing.T) {
	t.Run("no watch on this OS", func(t *testing.T) {
		ran := make(chan struct{}, 16)
		h := &readingHost{}
		opts := testOptions(t) // its watchers say ErrNotSupported
		opts.Checks = []check.Check{readingCheck(ran)}
		opts.Env = func(cfg *config.Config, log *slog.Logger) check.Env {
			return check.Env{Config: cfg, Log: log, Host: h}
		}
		a := start(t, opts)
		awaitRuns(t, ran, 1, "at start")
		a.CheckNow()
		awaitRuns(t, ran, 1, "on request")
		wantReadings(t, h, 2, "two runs")
	})

	t.Run("the watch ended", func(t *testing.T) {
		ran := make(chan struct{}, 16)
		h := &readingHost{}
		end := make(chan struct{})
		opts := testOptions(t)
		opts.Checks = []check.Check{readingCheck(ran)}
		opts.WatchNetwork = func(context.Context) (<-chan struct{}, error) {
			ch := make(chan struct{})
			go func() { <-end; close(ch) }()
			return ch, nil
		}
		ended := &logSignal{want: "the network watch ended", seen: make(chan struct{})}
		opts.Log = slog.New(slog.NewTextHandler(ended, nil))
		opts.Env = func(cfg *config.Config, log *slog.Logger) check.Env {
			return check.Env{Config: cfg, Log: log, Host: h}
		}
		a := start(t, opts)
		awaitRuns(t, ran, 1, "at start")
		a.CheckNow()
		awaitRuns(t, ran, 1, "on request")
		wantReadings(t, h, 1, "two runs while watched")
		close(end)
		select {
		case <-ended.seen:
		case <-time.After(30 * time.Second):
			t.Fatal("the agent did not notice the end of the watch")
		}
		a.CheckNow()
		awaitRuns(t, ran, 1, "on request")
		a.CheckNow()
		awaitRuns(t, ran, 1, "on request")
		wantReadings(t, h, 3, "two runs after the watch ended")
	})
}

// logSignal closes seen when a log line holds want.
type logSignal struct {
	want string
	once sync.Once
	seen chan struct{}
}

func (l *logSignal) Write(p []byte) (int, error) {
	if strings.Contains(string(p), l.want) {
		l.once.Do(func() { close(l.seen) })
	}
	return len(p), nil
}
