package tray

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/fix"
)

// backend is where check and fix requests go: the agent, or in standalone
// mode the in-process one with elevation for privileged fixes.
type backend interface {
	CheckNow(ctx context.Context) error
	Fixes(ctx context.Context) ([]api.FixStatus, error)
	RunFix(ctx context.Context, id string, opts api.FixOptions) (api.FixResult, error)
}

// remoteAgent is the agent's API; *api.Client is one.
type remoteAgent interface {
	backend
	// Follow calls fn with each pushed state until the stream ends.
	Follow(ctx context.Context, fn func(api.State) error) error
}

// update is what the link tells the app: where state comes from now, the
// state, the fixes on offer, and where requests go (nil while nothing
// answers).
type update struct {
	mode    mode
	state   api.State
	fixes   []api.FixStatus
	backend backend
	err     error // why the agent does not answer
}

// requestTimeout bounds a quick request to the agent (not a fix).
const requestTimeout = 10 * time.Second

// Standalone starts the in-process agent for standalone mode. It runs the
// machine checks on the agent's schedule until ctx ends.
type Standalone func(ctx context.Context) (api.StateSource, api.Checker, api.FixRunner, error)

// link keeps the tray supplied with state. It follows the agent's event
// stream and, when the stream ends, reconnects with backoff (1 s doubling
// to 30 s). When no agent answers at start, or none has answered for
// standaloneAfter, it starts the in-process agent; when the agent answers
// again, it stops that one and follows the agent. Each source publishes
// under an epoch, so that a stopped source's late news is dropped.
type link struct {
	remote          remoteAgent
	standalone      Standalone // nil: no standalone mode
	elevate         elevator
	publish         func(update)
	log             *slog.Logger
	minBackoff      time.Duration
	maxBackoff      time.Duration
	standaloneAfter time.Duration

	mu    sync.Mutex
	epoch int
}

// run keeps the link until ctx ends.
func (l *link) run(ctx context.Context) {
	var local *localRun
	defer func() {
		if local != nil {
			local.stop()
		}
	}()
	var lastSeen time.Time // when the agent last answered
	everAnswered, standaloneFailed := false, false
	delay := l.minBackoff
	for {
		answered := false
		var epoch int
		err := l.remote.Follow(ctx, func(st api.State) error {
			if !answered {
				answered = true
				if local != nil {
					local.stop()
					local = nil
					l.log.Info("the agent answers again; leaving standalone mode")
				}
				epoch = l.nextEpoch()
			}
			fctx, cancel := context.WithTimeout(ctx, requestTimeout)
			fixes, err := l.remote.Fixes(fctx)
			cancel()
			if err != nil {
				l.log.Warn("could not list the agent's fixes", "err", err)
			}
			l.publishIf(epoch, update{mode: modeRemote, state: st, fixes: fixes, backend: l.remote})
			return nil
		})
		if ctx.Err() != nil {
			return
		}
		now := time.Now()
		if answered {
			lastSeen, everAnswered = now, true
			delay = l.minBackoff
			l.log.Warn("lost the agent; reconnecting", "err", err)
		}
		if local == nil {
			l.publishIf(l.nextEpoch(), update{mode: modeUnreachable, err: err})
			due := !everAnswered || now.Sub(lastSeen) >= l.standaloneAfter
			if due && l.standalone != nil && !standaloneFailed {
				var serr error
				if local, serr = l.startLocal(ctx); serr != nil {
					standaloneFailed = true
					l.log.Error("could not start the checks without the agent", "err", serr)
				} else {
					l.log.Info("no agent answers; checking in standalone mode", "err", err)
				}
			}
		}
		wait := delay
		if local == nil && l.standalone != nil && !standaloneFailed {
			// Wake when standalone mode becomes due, not a backoff later.
			if until := l.standaloneAfter - now.Sub(lastSeen); until > 0 && until < wait {
				wait = until
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(delay*2, l.maxBackoff)
	}
}

func (l *link) nextEpoch() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.epoch++
	return l.epoch
}

// publishIf publishes u if epoch is still the current source's. The lock
// is held while publishing, so that a newer source cannot publish first.
func (l *link) publishIf(epoch int, u update) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if epoch == l.epoch {
		l.publish(u)
	}
}

// localRun is the in-process agent while it runs.
type localRun struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func (r *localRun) stop() {
	r.cancel()
	<-r.done
}

// startLocal starts the in-process agent and publishes its state at each
// change it signals.
func (l *link) startLocal(ctx context.Context) (*localRun, error) {
	lctx, cancel := context.WithCancel(ctx)
	src, checker, fixes, err := l.standalone(lctx)
	if err != nil {
		cancel()
		return nil, err
	}
	epoch := l.nextEpoch()
	b := &localBackend{checker: checker, fixes: fixes, elevate: l.elevate}
	done := make(chan struct{})
	go func() {
		defer close(done)
		changed, unsubscribe := src.Subscribe() // before the first read: no change is missed
		defer unsubscribe()
		for {
			l.publishIf(epoch, update{mode: modeStandalone, state: src.State(), fixes: fixes.Fixes(lctx), backend: b})
			select {
			case <-lctx.Done():
				return
			case <-changed:
			}
		}
	}()
	return &localRun{cancel: cancel, done: done}, nil
}

// localBackend sends requests to the in-process agent. Privileged fixes run
// elevated in a process of their own, after which the checks run again, as
// the agent does after a fix.
type localBackend struct {
	checker api.Checker
	fixes   api.FixRunner
	elevate elevator
}

func (b *localBackend) CheckNow(context.Context) error { b.checker.CheckNow(); return nil }

func (b *localBackend) Fixes(ctx context.Context) ([]api.FixStatus, error) {
	return b.fixes.Fixes(ctx), nil
}

func (b *localBackend) RunFix(ctx context.Context, id string, opts api.FixOptions) (api.FixResult, error) {
	if info, ok := fix.Lookup(id); ok && info.Privileged {
		res, err := b.elevate(ctx, id, opts)
		if err == nil && !opts.DryRun {
			b.checker.CheckNow()
		}
		return res, err
	}
	return b.fixes.RunFix(ctx, id, opts)
}
