package agent

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/dnsconf"
	"github.com/clearance-app/clearance/platform/dnsfix"
)

// script is a fake machine check: what it reports is set by the test, and
// its runs are counted.
type script struct {
	mu       sync.Mutex
	name     string
	findings []*finding.Definition
	status   check.Status
	runs     int
}

func newScript(name string) *script { return &script{name: name, status: check.Pass} }

func (s *script) set(status check.Status, ds ...*finding.Definition) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.findings = status, ds
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs
}

func (s *script) check() check.Check {
	return check.Check{Name: s.name, Run: func(_ context.Context, env *check.Env) check.Result {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.runs++
		res := check.Result{Status: s.status, Summary: "scripted"}
		for _, d := range s.findings {
			res.Findings = append(res.Findings, d.New(env.Now(), nil))
		}
		return res
	}}
}

// events is a scripted OS watcher.
type events struct{ ch chan struct{} }

func newEvents() *events { return &events{ch: make(chan struct{}, 1)} }

func (e *events) watch(ctx context.Context) (<-chan struct{}, error) {
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case <-e.ch:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out, nil
}

func (e *events) fire() { e.ch <- struct{}{} }

// fakeMachine records what the fixes asked of the OS.
type fakeMachine struct {
	mu        sync.Mutex
	flushed   []dnsconf.ResolverKind
	flushErr  error
	service   string
	syncErr   error
	stepped   []time.Duration
	switchErr error
	active    bool
	change    dnsfix.Switch
	restored  int
	repaired  bool
	calls     []string
}

func (m *fakeMachine) note(s string) {
	m.mu.Lock()
	m.calls = append(m.calls, s)
	m.mu.Unlock()
}

func (m *fakeMachine) FlushDNS(ctx context.Context, ch *platform.Changes) (dnsfix.FlushResult, error) {
	m.note("flush")
	if m.flushErr != nil {
		return dnsfix.FlushResult{}, m.flushErr
	}
	if len(m.flushed) == 0 {
		return dnsfix.FlushResult{Detail: "Nothing to flush: this machine has no DNS cache."}, nil
	}
	ch.Run(ctx, "resolvectl", "flush-caches")
	return dnsfix.FlushResult{Flushed: m.flushed, Detail: "Flushed the systemd-resolved cache."}, nil
}

func (m *fakeMachine) SyncTimeService(ctx context.Context, ch *platform.Changes) (string, error) {
	m.note("sync")
	if m.syncErr != nil {
		return "", m.syncErr
	}
	ch.Run(ctx, "chronyc", "makestep")
	return m.service, nil
}

func (m *fakeMachine) StepClock(ctx context.Context, ch *platform.Changes, offset time.Duration) error {
	m.note("step")
	return ch.Do(ctx, "date -s", func(context.Context) error {
		m.mu.Lock()
		m.stepped = append(m.stepped, offset)
		m.mu.Unlock()
		return nil
	})
}

func (m *fakeMachine) SwitchDNS(ctx context.Context, ch *platform.Changes) (dnsfix.Switch, error) {
	m.note("switch")
	if m.switchErr != nil {
		return dnsfix.Switch{}, m.switchErr
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.active {
		return dnsfix.Switch{}, errDNSPublicActive
	}
	ch.Run(ctx, "resolvectl", "dns", "eth0", "1.1.1.1")
	if !ch.DryRun() {
		m.active = true
	}
	m.change = dnsfix.Switch{Interface: "eth0", Tool: "systemd-resolved", Previous: []string{"10.0.0.1"}, Servers: []string{"1.1.1.1"}, Detail: "Switched eth0 to 1.1.1.1."}
	return m.change, nil
}

func (m *fakeMachine) RestoreDNS(ctx context.Context, ch *platform.Changes) (dnsfix.Switch, error) {
	m.note("restore")
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.active {
		return dnsfix.Switch{}, errNoDNSJournal
	}
	ch.Run(ctx, "resolvectl", "dns", "eth0", "10.0.0.1")
	if !ch.DryRun() {
		m.active = false
		m.restored++
	}
	return dnsfix.Switch{Interface: "eth0", Detail: "Restored eth0's DNS (10.0.0.1)."}, nil
}

func (m *fakeMachine) PublicDNS() (bool, dnsfix.Switch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.active, m.change, nil
}

func (m *fakeMachine) RepairDNS(context.Context, *platform.Changes) (bool, error) {
	m.note("repair")
	return m.repaired, nil
}

// testOptions is an agent with scripted checks, watchers and machine, no
// API, no jitter, and the default configuration.
func testOptions(t *testing.T, checks ...*script) Options {
	t.Helper()
	var cs []check.Check
	for _, s := range checks {
		cs = append(cs, s.check())
	}
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	return Options{
		Config:       func() (config.Config, error) { return config.Default(), nil },
		Log:          slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
		Address:      "-",
		Checks:       cs,
		Env:          func(cfg *config.Config, log *slog.Logger) check.Env { return check.Env{Config: cfg, Log: log} },
		WatchNetwork: func(context.Context) (<-chan struct{}, error) { return nil, platform.ErrNotSupported },
		WatchClock:   func(context.Context) (<-chan struct{}, error) { return nil, platform.ErrNotSupported },
		Jitter:       func(time.Duration) time.Duration { return 0 },
		Machine:      &fakeMachine{},
	}
}

// start runs the agent until the test ends and returns it.
func start(t *testing.T, opts Options) *Agent {
	t.Helper()
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return a
}

func visibleCodes(a *Agent) []finding.Code {
	var out []finding.Code
	for _, f := range a.State().Findings {
		out = append(out, f.Code)
	}
	return out
}
