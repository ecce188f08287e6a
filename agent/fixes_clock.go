package agent

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/ntpq"
	"github.com/clearance-app/clearance/platform"
)

// timeSync asks the OS time service to correct the clock now; only where
// there is none does it step the clock itself, as the last resort, when
// the servers meet ntpq.StepQuorum.
func (a *Agent) timeSync(ctx context.Context, ch *platform.Changes, _ api.FixOptions) fixOutcome {
	before := a.clockReport(ctx)
	offset, measured := check.ClockOffset(before)
	if before.Status == check.Pass && len(before.Findings) == 0 {
		return fixOutcome{result: api.NotNeeded, message: "Nothing to do: the clock is right (" + before.Summary + ")."}
	}

	how := ""
	svc, err := a.machine.SyncTimeService(ctx, ch)
	switch {
	case errors.Is(err, errNoTimeService):
		cfg, _ := a.config()
		env := a.envFor(&cfg)
		off, n, cerr := a.ntpConsensus(ctx, env.NTP, cfg.Clock.NTPServers)
		if cerr != nil {
			return failed("this computer has no time service, and Clearance sets the clock itself only when at least %d time servers agree within %s: %v.", ntpq.StepMinAgreeing, ntpq.StepAgreement, cerr)
		}
		if err := a.machine.StepClock(ctx, ch, off); err != nil {
			return failed("could not set the clock: %v.", err)
		}
		how = fmt.Sprintf("set by the agreement of %d time servers", n)
		offset, measured = off.Seconds(), true
	case err != nil:
		return failed("%v.", err)
	default:
		how = "corrected by " + svc
	}
	if ch.DryRun() {
		return fixOutcome{result: api.Fixed, message: "Dry run, nothing changed: the clock would be " + how + "."}
	}
	return fixOutcome{result: api.Fixed, message: "Clock " + how + ".", judge: func(still []finding.Finding) (api.Outcome, string) {
		if f, ok := findingOf(still, finding.ClockSkew); ok {
			return api.Failed, fmt.Sprintf("Failed: the clock was %s, but it is still off: %s.", how, strings.ToLower(f.Title[:1])+f.Title[1:])
		}
		if f, ok := findingOf(still, finding.ClockUnsynced); ok {
			return api.Failed, "Failed: " + f.Title + "."
		}
		if measured && math.Abs(offset) >= 1 {
			return api.Fixed, fmt.Sprintf("Clock corrected: it was %s (%s).", finding.DescribeOffset(time.Duration(offset*float64(time.Second)), false), how)
		}
		return api.Fixed, "Clock " + how + "."
	}}
}

// clockReport returns the clock check's latest run, running it first when
// the agent has none (a `clearance fix` without an agent).
func (a *Agent) clockReport(ctx context.Context) check.CheckReport {
	a.mu.Lock()
	r, ok := a.latest["clock"]
	a.mu.Unlock()
	if ok {
		return r
	}
	c, ok := a.check("clock")
	if !ok {
		return check.CheckReport{}
	}
	cfg, _ := a.config()
	rep := check.Run(ctx, a.envFor(&cfg), []check.Check{c})
	for _, r := range rep.Checks {
		if r.Name == "clock" {
			return r
		}
	}
	return check.CheckReport{}
}

// ntpConsensus asks every configured server (answers younger than 64 s
// come from the client's memory: no server is asked more often) and
// returns the offset that ntpq.StepQuorum allows stepping by, and how many
// servers agree on it.
func (a *Agent) ntpConsensus(ctx context.Context, q check.NTPQuerier, servers []string) (time.Duration, int, error) {
	if q == nil {
		return 0, 0, errors.New("no NTP client")
	}
	results := ntpq.QueryAll(ctx, q, servers)
	samples := ntpq.Samples(results)
	est, ok := ntpq.StepQuorum(samples)
	if !ok {
		msg := fmt.Sprintf("%d of %d servers answered, and no %d of them agree", len(samples), len(results), ntpq.StepMinAgreeing)
		var reasons []string
		for _, r := range results {
			if r.Err != nil {
				reasons = append(reasons, r.Reason())
			}
		}
		if len(reasons) > 0 {
			slices.Sort(reasons)
			msg += " (" + strings.Join(reasons, "; ") + ")"
		}
		return 0, len(samples), errors.New(msg)
	}
	return est.Offset, len(est.Used), nil
}
