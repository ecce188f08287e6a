// Package agent is Clearance's background service: it runs the machine
// checks on a schedule and at once when the network changes, the wall clock
// jumps or someone asks; passes their findings through the health registry,
// so that a person is told only of confirmed problems; serves the result on
// the local API; and runs the fixes that need privileges.
//
// It never prints and never shows UI: the tray and `clearance status` are
// its clients. It must not run the user checks (proxy settings and browser
// profiles belong to a person's session) and must not exit because of a bad
// configuration file: it keeps the last good one and says so.
package agent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/health"
	"github.com/clearance-app/clearance/agent/diag/ntpq"
	"github.com/clearance-app/clearance/platform/host"
	"github.com/clearance-app/clearance/platform/netstate"
	"github.com/clearance-app/clearance/platform/wallclock"
)

// Options configure an Agent. Everything reaching outside the process is
// here, so that tests can point it at loopback peers and scripted events.
type Options struct {
	// Config loads the configuration; it is called at start and before
	// every full run, so that edits take effect without a restart. The
	// first call must succeed (`clearance agent` refuses to start on a bad
	// file, as `check` does); later failures keep the last good values and
	// raise config-invalid.
	Config func() (config.Config, error)
	Log    *slog.Logger
	// Version is the program's, for /v1/health.
	Version string
	// Address is the API's socket or pipe (api.DefaultAddress when empty);
	// "-" serves no API (the tray's standalone mode, tests).
	Address string
	// FixGroup may run fixes besides administrators (api.DefaultFixGroup
	// when empty).
	FixGroup string
	// Checks are the machine checks (check.MachineChecks when nil).
	Checks []check.Check
	// Env builds the checks' environment once, from the first
	// configuration (check.NewEnv when nil); the agent then swaps in newer
	// configurations and adds its rate-limit backoff.
	Env func(cfg *config.Config, log *slog.Logger) check.Env
	// WatchNetwork and WatchClock report network changes and wall-clock
	// jumps (netstate.WatchNetwork and wallclock.WatchSteps when nil).
	// An error, such as platform.ErrNotSupported, leaves the agent to its
	// schedule and to comparing wall and monotonic time at each wake-up.
	WatchNetwork func(ctx context.Context) (<-chan struct{}, error)
	WatchClock   func(ctx context.Context) (<-chan struct{}, error)
	// Jitter returns a random extra wait in [0, max) (math/rand when nil).
	Jitter func(max time.Duration) time.Duration
	// Fixes are the privileged fixes' seam to the machine (the real one
	// when nil).
	Machine Machine
	// FreshConnections closes the prober's idle connections before every
	// full run, so that each dials afresh as a run on the schedule does
	// (the idle ones close 30 s after a run; the interval is minutes). A
	// benchmark hook: waiting out the idle timeout between 100 measured
	// runs would take an hour.
	FreshConnections bool
	// NewPusher makes the pusher for an OTLP endpoint (README, Metrics),
	// when the configuration names one; nil pushes nothing.
	NewPusher func(endpoint string) (Pusher, error)
}

// agentCheck is the name under which the agent's own findings
// (config-invalid, dns-public-active) are fed to the health registry.
const agentCheck = "agent"

// Agent is the service. Build it with New; it implements the API's
// api.StateSource, api.Checker and api.FixRunner.
type Agent struct {
	opts   Options
	log    *slog.Logger
	reg    *health.Registry
	checks []check.Check

	checkNow chan struct{} // size 1: requests coalesce
	woken    chan struct{} // size 1: the registry was fed outside the loop

	cfgMu    sync.Mutex
	cfg      config.Config // the last good configuration
	cfgErr   error         // why the file was last refused; nil when good
	cfgShort bool          // the last read failed for want of file descriptors
	machine  Machine

	mu      sync.Mutex
	latest  map[string]check.CheckReport // each check's latest run
	updated time.Time
	subs    map[chan struct{}]struct{}
	history runHistory // the last runs, for /v1/history

	fixMu sync.Mutex // one fix at a time, from the API or in-process
	// repairPending: Run has yet to repair what an interrupted DNS switch
	// left (see repairDNS). Under fixMu.
	repairPending bool

	runs    atomic.Uint64 // check runs completed, for the API's debug numbers and the metrics
	started time.Time     // when New made it: where the metrics' counters start

	out outputs // the metrics listener, textfile and pusher, when configured

	env check.Env // shared by runs: its prober, NTP client and backoff keep state
	// facts is env.Host: it keeps the interfaces and routes between runs
	// while the network watch runs.
	facts *check.NetworkFacts
}

// New loads the configuration and returns an agent ready to Run.
func New(opts Options) (*Agent, error) {
	if opts.Config == nil {
		return nil, errors.New("agent: no configuration loader")
	}
	cfg, err := opts.Config()
	if err != nil {
		return nil, err
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Checks == nil {
		opts.Checks = check.MachineChecks()
	}
	if opts.Env == nil {
		opts.Env = serviceEnv
	}
	if opts.WatchNetwork == nil {
		opts.WatchNetwork = netstate.WatchNetwork
	}
	if opts.WatchClock == nil {
		opts.WatchClock = wallclock.WatchSteps
	}
	if opts.Jitter == nil {
		opts.Jitter = func(max time.Duration) time.Duration {
			if max <= 0 {
				return 0
			}
			return rand.N(max)
		}
	}
	if opts.Machine == nil {
		opts.Machine = systemMachine{log: opts.Log}
	}
	env := opts.Env(&cfg, opts.Log)
	env.Backoff = check.NewBackoff()
	facts := check.KeepNetworkFacts(env.Host)
	env.Host = facts
	return &Agent{
		env:      env,
		facts:    facts,
		opts:     opts,
		log:      opts.Log,
		reg:      health.New(health.Options{ConfirmAfter: cfg.Agent.ConfirmAfter.D()}),
		checks:   opts.Checks,
		checkNow: make(chan struct{}, 1),
		woken:    make(chan struct{}, 1),
		cfg:      cfg,
		machine:  opts.Machine,
		latest:   map[string]check.CheckReport{},
		started:  time.Now(),
		subs:     map[chan struct{}]struct{}{},
	}, nil
}

// Run serves until ctx ends, then stops everything it started and returns.
// It returns an error only when it cannot start (the API's socket is taken
// or cannot be made).
func (a *Agent) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer a.Close()
	defer wg.Wait()
	defer a.closeOutputs()

	a.fixMu.Lock()
	a.repairPending = host.IsAdmin() // before a fix can be asked for
	a.fixMu.Unlock()
	if a.opts.Address != "-" {
		// The socket first: a second agent started by mistake must stop
		// here, before it touches a DNS switch the first one is making.
		ln, err := api.Listen(a.opts.Address)
		if err != nil {
			return fmt.Errorf("open the API at %s: %w", cmp.Or(a.opts.Address, api.DefaultAddress), err)
		}
		h := api.New(api.Config{
			State: a, Checker: a, Fixes: a,
			Version: a.opts.Version, Log: a.log, FixGroup: a.opts.FixGroup,
			Runs: a.runs.Load,
		})
		wg.Go(func() {
			if err := h.Serve(ctx, ln); err != nil {
				a.log.Error("the API stopped", "err", err)
			}
		})
		a.log.Info("agent started", "address", cmp.Or(a.opts.Address, api.DefaultAddress), "version", a.opts.Version)
	}
	// Served meanwhile: the lock may be another process's for a while.
	if !a.repairDNS(ctx) {
		wg.Go(func() { a.repairWhenFree(ctx) })
	}

	netChanged := a.watch(ctx, "network changes", a.opts.WatchNetwork)
	// The interfaces and routes are kept between runs only while a watch
	// says when they change.
	a.facts.Watched(netChanged != nil)
	a.loop(ctx, netChanged, a.watch(ctx, "clock jumps", a.opts.WatchClock))
	return nil
}

// Close releases what New acquired (idle connections). Run closes it
// itself; call Close after using an agent that was never Run.
func (a *Agent) Close() { a.env.Close() }

// update feeds results to the registry from outside the loop (a fix and
// its verification) and wakes the loop, whose next confirmation may now be
// due sooner than the timer it sleeps on.
func (a *Agent) update(now time.Time, results ...health.Result) {
	a.reg.Update(now, results...)
	select {
	case a.woken <- struct{}{}:
	default:
	}
}

// envFor returns the checks' environment with cfg in effect.
func (a *Agent) envFor(cfg *config.Config) check.Env {
	env := a.env
	env.Config = cfg
	return env
}

// serviceEnv is check.NewEnv with the NTP memory and the hosts' last
// addresses kept in the agent's state directory: a service has no user
// cache directory, and what it learns must survive restarts too.
func serviceEnv(cfg *config.Config, log *slog.Logger) check.Env {
	env := check.NewEnv(cfg, log)
	if c, ok := env.NTP.(*ntpq.Client); ok {
		c.Store = ntpq.FileStore{Path: filepath.Join(host.StateDir(), "ntp.json")}
	}
	env.Addrs = &check.AddrMemory{Path: filepath.Join(host.StateDir(), "addrs.json")}
	return env
}

// watch starts an OS watcher; without one, a nil channel never fires.
func (a *Agent) watch(ctx context.Context, what string, start func(context.Context) (<-chan struct{}, error)) <-chan struct{} {
	ch, err := start(ctx)
	if err != nil {
		a.log.Info("not watching "+what+"; relying on the schedule", "err", err)
		return nil
	}
	return ch
}

// config returns the last good configuration and why a newer file was
// refused, if it was.
func (a *Agent) config() (config.Config, error) {
	a.cfgMu.Lock()
	defer a.cfgMu.Unlock()
	return a.cfg, a.cfgErr
}

// reloadConfig reads the file again: a good one replaces the running
// values, a bad one is remembered for config-invalid and logged once. A
// file that could not be opened for want of file descriptors says nothing
// about the file: the last good values stay, nothing is remembered against
// it, and it is logged once until a read succeeds.
func (a *Agent) reloadConfig() config.Config {
	cfg, err := a.opts.Config()
	a.cfgMu.Lock()
	defer a.cfgMu.Unlock()
	if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
		if !a.cfgShort {
			a.log.Warn("could not read the configuration for want of file descriptors; keeping the last good values", "err", err)
		}
		a.cfgShort = true
		return a.cfg
	}
	a.cfgShort = false
	if err != nil {
		if a.cfgErr == nil || a.cfgErr.Error() != err.Error() {
			a.log.Warn("configuration refused; keeping the last good values", "err", err)
		}
		a.cfgErr = err
		return a.cfg
	}
	if a.cfgErr != nil {
		a.log.Info("configuration accepted again")
	}
	a.cfg, a.cfgErr = cfg, nil
	return cfg
}
