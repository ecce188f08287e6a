package tray

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/finding"
)

// fakeRemote is an agent that is up or down as the test says. While up, a
// stream lasts until the test drops it.
type fakeRemote struct {
	mu       sync.Mutex
	up       bool
	state    api.State
	attempts []time.Duration // since the test's start
	start    time.Time
	drop     chan struct{}
	fixes    *recordingFixes
}

func newFakeRemote(st api.State) *fakeRemote {
	return &fakeRemote{state: st, start: time.Now(), drop: make(chan struct{}), fixes: newRecordingFixes()}
}

func (r *fakeRemote) setUp(up bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.up = up
	if !up {
		close(r.drop)
		r.drop = make(chan struct{})
	}
}

func (r *fakeRemote) Follow(ctx context.Context, fn func(api.State) error) error {
	r.mu.Lock()
	r.attempts = append(r.attempts, time.Since(r.start))
	up, st, drop := r.up, r.state, r.drop
	r.mu.Unlock()
	if !up {
		return errors.New("connect: connection refused")
	}
	if err := fn(st); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-drop:
		return api.ErrEventsEnded
	}
}

func (r *fakeRemote) Attempts() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.attempts...)
}

func (r *fakeRemote) CheckNow(context.Context) error { return nil }
func (r *fakeRemote) Fixes(ctx context.Context) ([]api.FixStatus, error) {
	return r.fixes.Fixes(ctx), nil
}
func (r *fakeRemote) RunFix(ctx context.Context, id string, o api.FixOptions) (api.FixResult, error) {
	return r.fixes.RunFix(ctx, id, o)
}

// published records the link's updates.
type published struct {
	mu      sync.Mutex
	start   time.Time
	updates []update
	at      []time.Duration
}

func (p *published) publish(u update) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.updates = append(p.updates, u)
	p.at = append(p.at, time.Since(p.start))
}

func (p *published) last() (update, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.updates) == 0 {
		return update{}, 0
	}
	return p.updates[len(p.updates)-1], p.at[len(p.at)-1]
}

// fakeStandalone starts in-process agents and records when each ran.
type fakeStandalone struct {
	mu      sync.Mutex
	start   time.Time
	started []time.Duration
	stopped []time.Duration
	state   *scriptedState
	checker *countingChecker
	fixes   *recordingFixes
}

func (s *fakeStandalone) run(ctx context.Context) (api.StateSource, api.Checker, api.FixRunner, error) {
	s.mu.Lock()
	s.started = append(s.started, time.Since(s.start))
	s.mu.Unlock()
	context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.stopped = append(s.stopped, time.Since(s.start))
		s.mu.Unlock()
	})
	return s.state, s.checker, s.fixes, nil
}

func (s *fakeStandalone) counts() (started, stopped int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.started), len(s.stopped)
}

func secs(ds []time.Duration) []int {
	out := make([]int, len(ds))
	for i, d := range ds {
		out[i] = int(d / time.Second)
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func newTestLink(r *fakeRemote, s *fakeStandalone, p *published) *link {
	l := &link{
		remote: r, publish: p.publish, log: slog.New(slog.DiscardHandler),
		minBackoff: time.Second, maxBackoff: 30 * time.Second, standaloneAfter: 60 * time.Second,
		elevate: func(context.Context, string, api.FixOptions) (api.FixResult, error) {
			return api.FixResult{Result: api.Fixed}, nil
		},
	}
	if s != nil {
		l.standalone = s.run
	}
	return l
}

// No agent at start: standalone at once, retries 1 s doubling to 30 s;
// the agent appears: the in-process one stops and the agent's state counts.
func TestLinkStartsStandaloneAndReturnsToTheAgent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		remote := newFakeRemote(stateWith(now, finding.ClockSkew.New(now, nil)))
		alone := &fakeStandalone{start: now, state: newScriptedState(stateWith(now)), checker: newCountingChecker(), fixes: newRecordingFixes()}
		pub := &published{start: now}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		l := newTestLink(remote, alone, pub)
		go l.run(ctx)

		synctest.Wait()
		if u, _ := pub.last(); u.mode != modeStandalone || u.backend == nil {
			t.Fatalf("after a first failed attempt: mode %v, want standalone", u.mode)
		}
		if started, _ := alone.counts(); started != 1 {
			t.Fatalf("standalone started %d times", started)
		}
		// The in-process agent's changes are published.
		alone.state.Set(stateWith(now.Add(time.Second), finding.DNSFailure.New(now, nil)))
		synctest.Wait()
		if u, _ := pub.last(); len(u.state.Findings) != 1 || u.state.Findings[0].Code != "dns-failure" {
			t.Fatalf("standalone change not published: %+v", u.state)
		}

		time.Sleep(100 * time.Second)
		synctest.Wait()
		if got, want := secs(remote.Attempts()), []int{0, 1, 3, 7, 15, 31, 61, 91}; !equalInts(got, want) {
			t.Fatalf("attempts at %v s, want %v: backoff 1 s doubling to 30 s", got, want)
		}

		remote.setUp(true)
		time.Sleep(30 * time.Second)
		synctest.Wait()
		u, at := pub.last()
		if u.mode != modeRemote || len(u.state.Findings) != 1 || u.state.Findings[0].Code != "clock-skew" || at != 121*time.Second {
			t.Fatalf("after the agent appeared: mode %v at %v, state %+v", u.mode, at, u.state)
		}
		if _, stopped := alone.counts(); stopped != 1 {
			t.Fatal("the in-process agent was not stopped")
		}
		if len(u.fixes) == 0 {
			t.Fatal("the agent's fixes were not listed")
		}
		// The stopped source's news no longer counts.
		alone.state.Set(stateWith(now.Add(time.Hour)))
		synctest.Wait()
		if u, _ := pub.last(); u.mode != modeRemote {
			t.Fatalf("a stopped in-process agent published: %v", u.mode)
		}
		cancel()
		synctest.Wait()
	})
}

// The agent goes away: grey at once, reconnecting with a fresh backoff, and
// standalone only after 60 s without it.
func TestLinkLosesTheAgent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		remote := newFakeRemote(stateWith(now))
		remote.up = true
		alone := &fakeStandalone{start: now, state: newScriptedState(stateWith(now)), checker: newCountingChecker(), fixes: newRecordingFixes()}
		pub := &published{start: now}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go newTestLink(remote, alone, pub).run(ctx)
		synctest.Wait()
		if u, _ := pub.last(); u.mode != modeRemote {
			t.Fatalf("mode %v, want remote", u.mode)
		}

		time.Sleep(10 * time.Second)
		remote.setUp(false)
		synctest.Wait()
		if u, at := pub.last(); u.mode != modeUnreachable || u.backend != nil || at != 10*time.Second {
			t.Fatalf("after the agent went: mode %v at %v, want unreachable at once", u.mode, at)
		}
		time.Sleep(59 * time.Second)
		synctest.Wait()
		if started, _ := alone.counts(); started != 0 {
			t.Fatal("standalone before 60 s without the agent")
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if started, _ := alone.counts(); started != 1 {
			t.Fatal("no standalone 60 s after the agent went")
		}
		if u, at := pub.last(); u.mode != modeStandalone || at != 70*time.Second {
			t.Fatalf("mode %v at %v, want standalone at 70 s", u.mode, at)
		}
		if got, want := secs(remote.Attempts()), []int{0, 11, 13, 17, 25, 41, 70}; !equalInts(got, want) {
			t.Fatalf("attempts at %v s, want %v", got, want)
		}
		cancel()
		synctest.Wait()
	})
}

// Without standalone mode the tray waits, grey, for the agent.
func TestLinkWithoutStandalone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		remote := newFakeRemote(stateWith(time.Now()))
		pub := &published{start: time.Now()}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go newTestLink(remote, nil, pub).run(ctx)
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if u, _ := pub.last(); u.mode != modeUnreachable {
			t.Fatalf("mode %v, want unreachable", u.mode)
		}
		cancel()
		synctest.Wait()
	})
}

// In standalone mode a privileged fix runs elevated, then the checks run
// again; a user-level fix goes to the in-process agent.
func TestLocalBackend(t *testing.T) {
	var elevated []string
	chk := newCountingChecker()
	fixes := newRecordingFixes()
	b := &localBackend{checker: chk, fixes: fixes, elevate: func(_ context.Context, id string, o api.FixOptions) (api.FixResult, error) {
		elevated = append(elevated, id)
		return api.FixResult{Fix: id, Result: api.Fixed}, nil
	}}
	if res, err := b.RunFix(context.Background(), "dns-flush", api.FixOptions{}); err != nil || res.Result != api.Fixed || len(elevated) != 1 {
		t.Fatalf("privileged: %+v %v %v", res, err, elevated)
	}
	if len(chk.calls) != 1 {
		t.Fatal("no check after an elevated fix")
	}
	if _, err := b.RunFix(context.Background(), "recheck", api.FixOptions{}); err != nil || len(fixes.Runs()) != 1 || len(elevated) != 1 {
		t.Fatalf("a user-level fix: runs %v, elevated %v", fixes.Runs(), elevated)
	}
}
