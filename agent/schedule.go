package agent

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/health"
)

// networkSettle is how long the agent waits after a network change for the
// burst to end (a VPN coming up adds a link, then addresses, then routes)
// before it looks: checking half-way would see a half-made network.
const networkSettle = 500 * time.Millisecond

// clockJump is how far wall time may move from monotonic time between two
// wake-ups before the agent takes it as a step of the clock or a sleep.
const clockJump = 2 * time.Second

// loop runs the checks until ctx ends: all of them at start, then on the
// schedule (Interval, or ActiveInterval while something is wrong, each with
// jitter), at once on request or a clock jump, shortly after a network
// change, and the checks whose findings wait for confirmation when the
// registry asks. It sleeps on one timer in between: no other wake-ups.
func (a *Agent) loop(ctx context.Context, netChanged, clockJumped <-chan struct{}) {
	cfg0, _ := a.config()
	env := a.envFor(&cfg0)

	timer := time.NewTimer(0)
	defer timer.Stop()
	nextFull := time.Now() // at once
	lastWake := time.Now()
	localFirst := false // a network change: run the local checks before the full run
	for {
		if ctx.Err() != nil {
			return // also when a run was cut short: its checks stay due
		}
		now := time.Now()
		if jumped(lastWake, now) {
			a.log.Info("the wall clock jumped or the machine slept; checking now")
			nextFull = now
			a.forgetConnections()
		}
		lastWake = now

		confirmAt, confirm, waiting := a.reg.NextConfirmation()
		switch {
		case !now.Before(nextFull):
			cfg := a.reloadConfig()
			if localFirst {
				localFirst = false
				if local := a.localChecks(); len(local) > 0 {
					a.cycle(ctx, &env, cfg, local)
				}
			}
			a.cycle(ctx, &env, cfg, nil)
			nextFull = time.Now().Add(a.interval(cfg))
			continue
		case waiting && !now.Before(confirmAt):
			cfg, _ := a.config()
			a.cycle(ctx, &env, cfg, confirm)
			continue
		}

		wake := nextFull
		if waiting && confirmAt.Before(wake) {
			wake = confirmAt
		}
		timer.Reset(wake.Sub(now))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-a.checkNow:
			nextFull = time.Now()
		case <-a.woken:
			// A fix fed the registry: what waits for confirmation changed.
		case _, ok := <-clockJumped:
			if !ok {
				a.log.Warn("the clock-jump watch ended; relying on the schedule")
				clockJumped = nil
				continue
			}
			a.log.Info("the wall clock was set; checking now")
			nextFull = time.Now()
			a.forgetConnections()
		case _, ok := <-netChanged:
			if !ok {
				a.log.Warn("the network watch ended; relying on the schedule")
				netChanged = nil
				a.facts.Watched(false) // nothing would tell when they change
				continue
			}
			a.log.Debug("network changed")
			localFirst = true
			a.forgetConnections()
			if settled := time.Now().Add(networkSettle); settled.Before(nextFull) {
				nextFull = settled
			}
		}
		if !timer.Stop() {
			select { // drain a fire that raced with another case
			case <-timer.C:
			default:
			}
		}
	}
}

// forgetConnections makes the next run dial afresh after a network
// change, a clock step or a resume. A connection opened before a change
// still works over the old path (a VPN's routes do not move an established
// flow), so a run that reused it would describe the old path: the address
// the world sees, the time to connect. A fix's verification run may hold a
// connection at this moment; it is not handed out again either.
func (a *Agent) forgetConnections() { a.env.Forget() }

// localChecks names the agent's checks that read only this machine.
func (a *Agent) localChecks() []string {
	var out []string
	for _, c := range a.checks {
		if c.Local {
			out = append(out, c.Name)
		}
	}
	return out
}

// jumped reports whether wall time moved differently from monotonic time
// between two readings of time.Now: a step of the clock, or a sleep (Go's
// monotonic clock stops during a suspend on Linux, macOS and Windows).
func jumped(before, now time.Time) bool {
	return apart(now.Round(0).Sub(before.Round(0)), now.Sub(before))
}

// apart reports whether wall and monotonic elapsed times differ by more
// than clockJump.
func apart(wall, monotonic time.Duration) bool {
	d := wall - monotonic
	return d > clockJump || d < -clockJump
}

// interval is the wait before the next full run. The jitter is capped so
// that the sum cannot overflow into a negative wait, which would be a busy
// loop.
func (a *Agent) interval(cfg config.Config) time.Duration {
	d := cfg.Agent.Interval.D()
	if a.reg.Active() {
		d = cfg.Agent.ActiveInterval.D()
	}
	return d + min(a.opts.Jitter(d/10), 1<<63-1-max(d, 0))
}

// cycle runs the named checks (all when names is nil) and feeds every
// result of the run to the registry in one update.
func (a *Agent) cycle(ctx context.Context, env *check.Env, cfg config.Config, names []string) {
	env.Config = &cfg
	var checks []check.Check
	for _, c := range a.checks {
		if names == nil || slices.Contains(names, c.Name) {
			checks = append(checks, c)
		}
	}
	var results []health.Result
	var reports []check.CheckReport
	if names == nil && a.opts.FreshConnections {
		env.Close()
	}
	if len(checks) > 0 {
		rep := check.Run(ctx, *env, checks)
		if ctx.Err() != nil {
			return // interrupted: a partial run tells nothing
		}
		reports = rep.Checks
		for _, c := range rep.Checks {
			results = append(results, health.Result{Check: c.Name, Ran: ran(c.Status), Findings: c.Findings})
		}
	}
	if names == nil || slices.Contains(names, agentCheck) {
		results = append(results, agentResult(a.ownFindings(ctx)))
	}
	now := time.Now()
	a.reg.Update(now, results...)
	a.record(now, reports)
	a.runs.Add(1)
	a.log.Debug("checks ran", "checks", len(reports), "full", names == nil, "visible", len(a.reg.Visible()))
	a.publish(ctx, cfg)
}

// ran says whether a check gave a verdict: a skipped or failed check saw
// nothing, so it neither confirms nor clears.
func ran(s check.Status) bool { return s == check.Pass || s == check.Warn || s == check.Fail }

// ownFindings are the agent's own: its configuration file refused, public
// DNS in effect.
func (a *Agent) ownFindings(ctx context.Context) []finding.Finding {
	now := time.Now()
	var fs []finding.Finding
	if _, err := a.config(); err != nil {
		fs = append(fs, finding.ConfigInvalid.New(now, configEvidence(err)))
	}
	if f, ok := a.publicDNSFinding(ctx, now); ok {
		fs = append(fs, f)
	}
	return fs
}

// configEvidence names the file, line and key when the error says them.
func configEvidence(err error) map[string]any {
	ev := map[string]any{"error": err.Error()}
	var ce *config.Error
	if errors.As(err, &ce) {
		ev["file"] = ce.File
		if ce.Line > 0 {
			ev["line"] = ce.Line
		}
		if ce.Key != "" {
			ev["key"] = ce.Key
		}
	}
	return ev
}

// agentResult feeds the agent's own findings to the registry.
func agentResult(fs []finding.Finding) health.Result {
	return health.Result{Check: agentCheck, Ran: true, Findings: fs}
}
