package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clearance-app/clearance/agent/api"
	"github.com/clearance-app/clearance/agent/diag/check"
	"github.com/clearance-app/clearance/agent/diag/finding"
	"github.com/clearance-app/clearance/agent/diag/fix"
	"github.com/clearance-app/clearance/agent/diag/health"
	"github.com/clearance-app/clearance/platform"
	"github.com/clearance-app/clearance/platform/crashpoint"
	"github.com/clearance-app/clearance/platform/host"
)

// Sentinel answers of the Machine that the fixes turn into words.
var (
	errNoTimeService   = errors.New("no time service to ask")
	errDNSPublicActive = errors.New("public DNS is already in effect")
	errNoDNSJournal    = errors.New("nothing to restore")
)

// privilegedFix is one fix the agent runs: how long it may take, which
// check verifies it, and the steps.
type privilegedFix struct {
	timeout time.Duration
	verify  string // the check re-run afterwards
	// settle is how long the change takes to reach what the check sees:
	// Go's resolver, like glibc's, reads a changed resolv.conf only after
	// some seconds (at most every 5 s).
	settle time.Duration
	run    func(a *Agent, ctx context.Context, ch *platform.Changes, opts api.FixOptions) fixOutcome
}

// fixOutcome is what a fix's steps concluded before verification.
type fixOutcome struct {
	result  api.Outcome
	message string
	// judge turns the verifying run into the final word, when the check
	// could run; nil keeps result and message.
	judge func(still []finding.Finding) (api.Outcome, string)
}

// verification is the verifying run of a fix's check.
type verification struct {
	ran     bool   // the check gave a verdict
	summary string // the check's own words, for when it did not
	still   []finding.Finding
}

// privileged are the fixes the agent runs, by id; the list of fix ids and
// titles is agent/fix's.
var privileged = map[string]privilegedFix{
	fix.TimeSync:   {timeout: 90 * time.Second, verify: "clock", run: (*Agent).timeSync},
	fix.DNSFlush:   {timeout: 30 * time.Second, verify: "dns", run: (*Agent).dnsFlush},
	fix.DNSPublic:  {timeout: 60 * time.Second, verify: "dns", settle: 6 * time.Second, run: (*Agent).dnsPublic},
	fix.DNSRestore: {timeout: 60 * time.Second, verify: "dns", settle: 6 * time.Second, run: (*Agent).dnsRestore},
}

// Fixes lists every fix with whether the agent can run it now
// (api.FixRunner).
func (a *Agent) Fixes(context.Context) []api.FixStatus {
	cfg := a.reloadConfig() // an administrator's switch takes effect at once
	out := make([]api.FixStatus, 0, len(fix.All))
	for _, info := range fix.All {
		st := api.FixStatus{Info: info}
		_, mine := privileged[info.ID]
		switch {
		case info.ID == fix.Recheck:
			st.Available = true
		case !mine:
			st.Reason = "the tray runs this one, as you"
		case !host.IsAdmin():
			st.Reason = "the agent is not running as an administrator, so it cannot change the system"
		case !cfg.Agent.PrivilegedFixes && info.ID != fix.DNSRestore:
			st.Reason = "an administrator switched off the fixes that change the system (agent.privileged_fixes = false)"
		default:
			st.Available = true
		}
		out = append(out, st)
	}
	return out
}

// RunFix runs one fix under its timeout, verifies it by running its check
// again, and logs an audit line (api.FixRunner).
func (a *Agent) RunFix(ctx context.Context, id string, opts api.FixOptions) (api.FixResult, error) {
	if id == fix.Recheck {
		a.CheckNow()
		return api.FixResult{Fix: id, Result: api.Fixed, Message: "Checking again now.", Commands: []string{}}, nil
	}
	pf, ok := privileged[id]
	if !ok {
		return api.FixResult{}, fmt.Errorf("%s is not a fix the agent runs", id)
	}
	a.fixMu.Lock()
	defer a.fixMu.Unlock()
	if !opts.DryRun {
		// Another process (a `clearance fix` run while the agent is not
		// answering) must not change the same settings at the same time;
		// the caller is told so if it goes on for long.
		unlock, err := waitFixLock(ctx, fixLockWait)
		if err != nil {
			return api.FixResult{}, err
		}
		defer unlock()
		// What a crash left comes first, if the agent's start could not
		// see to it yet.
		a.repairLocked(ctx)
	}
	fctx, cancel := context.WithTimeout(ctx, pf.timeout)
	defer cancel()

	ch := platform.NewChanges(platform.ExecRunner{Timeout: 20 * time.Second, Log: a.log}, opts.DryRun)
	out := pf.run(a, fctx, ch, opts)
	crashpoint.Here("fix:changed") // what follows is the verification only
	if fctx.Err() != nil && out.result != api.Failed {
		out = fixOutcome{result: api.Failed, message: fmt.Sprintf("Failed: the fix did not finish within %s.", pf.timeout)}
	}
	if !opts.DryRun && out.result != api.Failed {
		v := a.verify(ctx, pf.verify, pf.settle)
		switch {
		case !v.ran:
			out.message = strings.TrimSpace(out.message + " It could not be checked afterwards: " + v.summary + ".")
		case out.judge != nil:
			out.result, out.message = out.judge(v.still)
		}
	}
	res := api.FixResult{Fix: id, Result: out.result, Message: out.message, Commands: ch.Commands()}
	if !opts.DryRun {
		a.out.countFix(id, res.Result)
	}
	a.log.Info("fix", "fix", id, "dry_run", opts.DryRun, "result", string(res.Result), "message", res.Message, "commands", res.Commands)
	return res, nil
}

// verify runs one check again, after the change has had settle to take
// effect (and the agent's own findings, which a DNS switch changes), feeds
// the result to the registry so that the state shows it at once, and says
// what the check saw. It has a time budget of its own: a fix that took
// long must not leave its verification none.
func (a *Agent) verify(ctx context.Context, name string, settle time.Duration) verification {
	c, ok := a.check(name)
	if !ok {
		return verification{summary: "this agent has no " + name + " check"}
	}
	cfg, _ := a.config()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settle+cfg.Check.Deadline.D()+time.Second)
	defer cancel()
	select {
	case <-time.After(settle):
	case <-ctx.Done():
	}
	rep := check.Run(ctx, a.envFor(&cfg), []check.Check{c})
	v := verification{summary: "the " + name + " check did not run"}
	results := []health.Result{agentResult(a.ownFindings(ctx))}
	for _, r := range rep.Checks {
		results = append(results, health.Result{Check: r.Name, Ran: ran(r.Status), Findings: r.Findings})
		if r.Name == name {
			v = verification{ran: ran(r.Status), summary: "the " + name + " check " + notRun(r.Status) + ": " + r.Summary, still: r.Findings}
		}
	}
	now := time.Now()
	a.update(now, results...)
	a.record(now, rep.Checks)
	return v
}

// findingOf returns the finding with code among fs.
func findingOf(fs []finding.Finding, d *finding.Definition) (finding.Finding, bool) {
	for _, f := range fs {
		if f.Code == d.Code {
			return f, true
		}
	}
	return finding.Finding{}, false
}

// failed is a fix that could not be done, said for a person.
func failed(format string, args ...any) fixOutcome {
	return fixOutcome{result: api.Failed, message: "Failed: " + fmt.Sprintf(format, args...)}
}

// check returns the agent's check of that name.
func (a *Agent) check(name string) (check.Check, bool) {
	for _, c := range a.checks {
		if c.Name == name {
			return c, true
		}
	}
	return check.Check{}, false
}

// notRun says why a check gave no verdict.
func notRun(s check.Status) string {
	if s == check.Skip {
		return "was skipped"
	}
	return "could not run"
}
