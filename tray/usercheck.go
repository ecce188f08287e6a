package tray

import (
	"context"
	"log/slog"
	"time"

	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/config"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/health"
)

// userChecks runs the user checks when asked (at start, and whenever the
// agent's state changes, so on the agent's schedule) and when a finding
// waits for its confirming second measurement. Their findings pass through
// a health registry of their own, like the agent's: a finding is shown
// only once a second run confirms it, and clears when a run no longer
// reports it.
type userChecks struct {
	run     func(ctx context.Context) []health.Result
	reg     *health.Registry
	kickCh  chan struct{}
	changed func([]finding.Finding)
}

func newUserChecks(run func(context.Context) []health.Result, confirmAfter time.Duration, changed func([]finding.Finding)) *userChecks {
	return &userChecks{
		run:     run,
		reg:     health.New(health.Options{ConfirmAfter: confirmAfter}),
		kickCh:  make(chan struct{}, 1),
		changed: changed,
	}
}

// kick asks for a run; requests made while one runs coalesce into one.
func (u *userChecks) kick() {
	select {
	case u.kickCh <- struct{}{}:
	default:
	}
}

// loop runs the checks when kicked or when a confirmation is due, until
// ctx ends.
func (u *userChecks) loop(ctx context.Context) {
	confirm := time.NewTimer(time.Hour)
	confirm.Stop()
	defer confirm.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-u.kickCh:
		case <-confirm.C:
		}
		results := u.run(ctx)
		if ctx.Err() != nil {
			return
		}
		u.reg.Update(time.Now(), results...)
		confirm.Stop()
		if at, _, ok := u.reg.NextConfirmation(); ok {
			confirm.Reset(max(time.Until(at), 0))
		}
		u.changed(u.reg.Visible())
	}
}

// runUserChecks runs the user checks with env, as `clearance check` runs a
// selection, and turns the report into registry results: a check that was
// skipped or erred gave no verdict.
func runUserChecks(env check.Env) func(context.Context) []health.Result {
	checks := check.UserChecks() // per user: the agent (root, SYSTEM) cannot see them
	return func(ctx context.Context) []health.Result {
		rep := check.Run(ctx, env, checks)
		out := make([]health.Result, 0, len(rep.Checks))
		for _, c := range rep.Checks {
			r := health.Result{Check: c.Name, Ran: c.Status != check.Skip && c.Status != check.Error}
			for _, f := range rep.Findings {
				if f.Check == c.Name {
					r.Findings = append(r.Findings, f)
				}
			}
			out = append(out, r)
		}
		return out
	}
}

// newUserCheckEnv is the environment of the user checks: the real network
// and this user's settings.
func newUserCheckEnv(cfg *config.Config, log *slog.Logger) check.Env {
	return check.NewEnv(cfg, log)
}
